//! Files that are safe to open (issue 12): no cell of a CSV that cxm writes can start a
//! spreadsheet formula (numbers stay numbers); `rejected.csv` and the report's rejection
//! examples carry only the mapped fields' values unless told otherwise (`rejected_values`);
//! the terminal table shows control characters from the data as visible placeholders; and
//! a PostgreSQL password is refused in the config however it is spelt.

mod common;
use common::*;
use std::path::{Path, PathBuf};

/// Characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A plain decimal number (optional sign, digits, optional fraction and exponent).
fn is_plain_number(cell: &str) -> bool {
    let body = cell.strip_prefix(['+', '-']).unwrap_or(cell);
    !body.is_empty()
        && body
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '.')
        && body.parse::<f64>().is_ok()
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || ".eE+-".contains(c))
}

/// Every cell of a CSV file, header included.
fn cells(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    reader
        .records()
        .map(|r| r.expect("record").iter().map(String::from).collect())
        .collect()
}

/// Asserts that no cell of `path` could be read as a formula: every cell starting with a
/// trigger character is a plain number or starts with `'`.
fn assert_no_formula(path: &Path) {
    for row in cells(path) {
        for cell in row {
            if cell.starts_with(TRIGGERS) {
                assert!(
                    is_plain_number(&cell),
                    "{}: cell {cell:?} could start a formula",
                    path.display()
                );
            }
        }
    }
}

fn all_cells(path: &Path) -> Vec<String> {
    cells(path).into_iter().flatten().collect()
}

/// A survey whose region names, attributes and answers begin like formulas, and whose
/// answers make negative numbers (an NPS of -100, CSI priority gaps below zero).
const SURVEY: &str = "id,region,nps,attribute,satisfaction,importance\n\
    1,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",0,=1+2,4,7\n\
    2,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",1,-2+3,5,1\n\
    3,@SUM(A1),10,+cmd|' /C calc'!A0,6,2\n\
    4,@SUM(A1),9,price,7,6\n\
    5,North,=1+2,@SUM(A1),3,5\n\
    6,North,-5,price,2,3\n\
    7,North,10,price,5,4\n";

fn survey_config(s: &Scratch, report: &str) -> PathBuf {
    let reg = s.registry(&[
        ("nps", "cxm-plugin-nps", None),
        ("csi", "cxm-plugin-csi", None),
    ]);
    s.write("survey.csv", SURVEY);
    s.write(
        "client.toml",
        &format!(
            "client = \"Safe\"\nplugins = {:?}\n\n\
             [datasets.survey]\npath = \"survey.csv\"\n\
             [datasets.survey.fields]\nid = \"id\"\nregion = \"region\"\n\
             nps = {{ column = \"nps\", type = \"integer\" }}\nattribute = \"attribute\"\n\
             satisfaction = {{ column = \"satisfaction\", type = \"number\" }}\n\
             importance = {{ column = \"importance\", type = \"number\" }}\n\n\
             [[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"survey\"\n\
             inputs = {{ score = \"nps\" }}\ngroup_by = [\"region\"]\n\n\
             [[metrics]]\nid = \"csi\"\nplugin = \"csi\"\ndataset = \"survey\"\n\
             inputs = {{ attribute = \"attribute\", satisfaction = \"satisfaction\", importance = \"importance\" }}\n\
             params = {{ min_n = 1 }}\n{report}",
            reg.display().to_string()
        ),
    )
}

fn run_out(cfg: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["run", cfg.to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    o
}

#[test]
fn csv_outputs_neutralise_formulas_and_keep_numbers_numbers() {
    let s = Scratch::new();
    let cfg = survey_config(&s, "");
    let out = s.path("out");
    run_out(&cfg, &out, &["--format", "csv"]);

    let files = ["results.csv", "rejected.csv", "csi.attributes.csv"];
    for f in files {
        assert_no_formula(&out.join(f));
    }
    // Text that begins like a formula is kept readable behind a quote.
    let results = all_cells(&out.join("results.csv"));
    assert!(results.contains(&"'=HYPERLINK(\"http://evil.example\",\"x\")".to_string()));
    assert!(results.contains(&"'@SUM(A1)".to_string()));
    let table = all_cells(&out.join("csi.attributes.csv"));
    for text in ["'=1+2", "'-2+3", "'+cmd|' /C calc'!A0", "'@SUM(A1)"] {
        assert!(table.contains(&text.to_string()), "{text:?} in {table:?}");
    }
    // Numbers written by cxm stay numbers, negative ones included: the formula region has
    // only detractors (NPS -100) and CSI priority gaps go below zero.
    assert!(results.contains(&"-100".to_string()), "{results:?}");
    assert!(
        table
            .iter()
            .any(|c| c.starts_with('-') && is_plain_number(c)),
        "{table:?}"
    );
    // rejected.csv: the formula is neutralised, an original value that is a plain number
    // (-5, out of scale) is not a formula and is kept as it is.
    let rejected = cells(&out.join("rejected.csv"));
    let value_of = |line: &str| {
        rejected
            .iter()
            .find(|r| r[1] == line && r[3] == "nps")
            .map(|r| r[4].clone())
            .unwrap_or_else(|| panic!("no nps rejection on line {line}: {rejected:?}"))
    };
    assert_eq!(value_of("6"), "'=1+2");
    assert_eq!(value_of("7"), "-5");
    // --format csv on stdout follows the same rule.
    let o = run(&["run", cfg.to_str().unwrap(), "--format", "csv"]);
    let stdout_csv = s.write("stdout.csv", &stdout(&o));
    assert_no_formula(&stdout_csv);
}

/// An export with personal data in unmapped columns, and broken rows.
const CONTACTS: &str = "Response ID,Region,Score,Email,Name,Comment\n\
    R1,East,9,ann@example.com,Ann Lee,fine\n\
    R2,East,7,bob@example.com,\"Smith, Bob\",ok\n\
    R3,West,10,carol@example.com,Carol, Jones,great\n\
    R4,West,x,dan@example.com,Dan Wu,meh\n\
    R5,eve@example.com\n\
    very good service\n\
    R6,North,8,fay@example.com,Fay Po,\"open\n";

fn contacts_config(s: &Scratch, report: &str) -> PathBuf {
    let reg = s.registry(&[("nps", "cxm-plugin-nps", None)]);
    s.write("contacts.csv", CONTACTS);
    s.write(
        "client.toml",
        &format!(
            "client = \"Private\"\nplugins = {:?}\n\n\
             [datasets.survey]\npath = \"contacts.csv\"\nunique_key = \"response_id\"\n\
             [datasets.survey.fields]\nresponse_id = \"Response ID\"\nregion = \"Region\"\n\
             score = {{ column = \"Score\", type = \"integer\" }}\n\n\
             [[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"survey\"\n\
             inputs = {{ score = \"score\" }}\ngroup_by = [\"region\"]\n{report}",
            reg.display().to_string()
        ),
    )
}

/// (line, scope, field, value, reason) of every rejection in `rejected.csv`.
fn rejections(out: &Path) -> Vec<(String, String, String, String, String)> {
    cells(&out.join("rejected.csv"))
        .into_iter()
        .skip(1)
        .map(|r| {
            (
                r[1].clone(),
                r[2].clone(),
                r[3].clone(),
                r[4].clone(),
                r[5].clone(),
            )
        })
        .collect()
}

const PERSONAL: [&str; 12] = [
    "ann@",
    "bob@",
    "carol@",
    "dan@",
    "eve@",
    "fay@",
    "Ann Lee",
    "Smith",
    "Jones",
    "Dan Wu",
    "very good",
    "Fay Po",
];

fn assert_no_personal_data(out: &Path) {
    for f in ["rejected.csv", "results.json", "report.html"] {
        let text = std::fs::read_to_string(out.join(f)).expect(f);
        for p in PERSONAL {
            assert!(!text.contains(p), "{f} holds {p:?}");
        }
    }
}

#[test]
fn broken_rows_show_only_the_mapped_fields_by_default() {
    let s = Scratch::new();
    let cfg = contacts_config(&s, "");
    let out = s.path("out");
    run_out(&cfg, &out, &[]);
    let rows = rejections(&out);
    let row = |line: &str| {
        rows.iter()
            .find(|r| r.0 == line)
            .unwrap_or_else(|| panic!("no rejection on line {line}: {rows:?}"))
            .clone()
    };
    // One field too many, after the mapped columns: they cannot have shifted.
    let r3 = row("4");
    assert_eq!(r3.4, "wrong_field_count");
    assert_eq!(r3.3, "response_id=R3; region=West; score=10");
    // A value rejection shows the mapped field's value, as before.
    assert_eq!(row("5").3, "x");
    // Too few fields: any column may have moved (line 7 is the tail of line 6's comment),
    // so nothing can be shown as a mapped value.
    assert_eq!(row("6").3, "");
    assert_eq!(row("7").3, "");
    // Unterminated quote: the last field ran to the end of the file; the others are in
    // place.
    let r8 = row("8");
    assert_eq!(r8.4, "unterminated_quote");
    assert_eq!(r8.3, "response_id=R6; region=North; score=8");
    assert_no_personal_data(&out);
    let xlsx = std::fs::read(out.join("report.xlsx")).expect("xlsx");
    assert!(!xlsx.windows(4).any(|w| w == b"eve@"));
}

#[test]
fn rejected_values_full_and_none() {
    let s = Scratch::new();
    let cfg = contacts_config(&s, "\n[report]\nrejected_values = \"full\"\n");
    let out = s.path("full");
    run_out(&cfg, &out, &[]);
    let rows = rejections(&out);
    let r3 = rows.iter().find(|r| r.0 == "4").expect("line 4");
    assert_eq!(r3.3, "R3,West,10,carol@example.com,Carol, Jones,great");

    let cfg = contacts_config(&s, "\n[report]\nrejected_values = \"none\"\n");
    let out = s.path("none");
    run_out(&cfg, &out, &[]);
    let rows = rejections(&out);
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert!(rows.iter().all(|r| r.3.is_empty()), "{rows:?}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let examples = json["rejection_examples"].as_array().expect("examples");
    assert!(!examples.is_empty());
    assert!(examples.iter().all(|e| e["value"] == ""), "{examples:?}");
}

#[test]
fn an_unknown_rejected_values_setting_is_a_located_config_error() {
    let s = Scratch::new();
    let cfg = contacts_config(&s, "\n[report]\nrejected_values = \"some\"\n");
    let o = run(&["validate", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let text = std::fs::read_to_string(&cfg).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("rejected_values"))
        .unwrap()
        + 1;
    let err = stderr(&o);
    assert!(err.contains(&format!("client.toml:{line}:19: ")), "{err}");
    assert!(err.contains("\"mapped\", \"full\" or \"none\""), "{err}");
}

#[test]
fn the_terminal_table_shows_control_characters_as_placeholders() {
    let s = Scratch::new();
    let reg = s.registry(&[
        ("nps", "cxm-plugin-nps", None),
        ("csi", "cxm-plugin-csi", None),
    ]);
    s.write(
        "survey.csv",
        "region,nps,attribute,satisfaction\n\
         \u{1b}[31mRED\u{7},9,\u{1b}]0;owned\u{7},4\n\
         \"multi\nline\",3,\u{9b}2J,5\n",
    );
    let cfg = s.write(
        "client.toml",
        &format!(
            "client = \"Esc\"\nplugins = {:?}\n\n\
             [datasets.survey]\npath = \"survey.csv\"\n\
             [datasets.survey.fields]\nregion = \"region\"\n\
             nps = {{ column = \"nps\", type = \"integer\" }}\nattribute = \"attribute\"\n\
             satisfaction = {{ column = \"satisfaction\", type = \"number\" }}\n\n\
             [[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"survey\"\n\
             inputs = {{ score = \"nps\" }}\ngroup_by = [\"region\"]\n\n\
             [[metrics]]\nid = \"csi\"\nplugin = \"csi\"\ndataset = \"survey\"\n\
             inputs = {{ attribute = \"attribute\", satisfaction = \"satisfaction\", importance = \"satisfaction\" }}\n\
             params = {{ min_n = 1 }}\n",
            reg.display().to_string()
        ),
    );
    let o = run(&["run", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "control characters in: {text:?}"
    );
    assert!(text.contains("␛[31mRED␇"), "{text}");
    assert!(text.contains("␛]0;owned␇"), "{text}");
    assert!(text.contains("multi line"), "{text}");
    assert!(text.contains("\u{fffd}2J"), "{text}");

    // `cxm inspect` shows column names and samples from the file the same way.
    let csv = s.write(
        "inspect.csv",
        "name,score\nAnn\u{1b}]0;owned\u{7},9\nBob\u{1b}[2J,7\n",
    );
    let o = run(&["inspect", csv.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "control characters in: {text:?}"
    );
    assert!(text.contains("Ann␛]0;owned␇"), "{text}");
}

fn postgres_config(s: &Scratch, connection: &str) -> PathBuf {
    let reg = s.registry(&[("nps", "cxm-plugin-nps", None)]);
    s.write(
        "client.toml",
        &format!(
            "client = \"PG\"\nplugins = {:?}\n[datasets.s]\nformat = \"postgres\"\n\
             connection = {connection}\ntable = \"t\"\n\
             [datasets.s.fields]\nnps = {{ column = \"nps\", type = \"integer\" }}\n\
             [[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"s\"\ninputs = {{ score = \"nps\" }}\n",
            reg.display().to_string()
        ),
    )
}

#[test]
fn a_postgres_password_is_refused_however_it_is_written() {
    for connection in [
        "\"host=127.0.0.1 user=x password = hunter2\"",
        "\"host=127.0.0.1 user=x password\\t=hunter2\"",
        "\"postgres://localhost/db?pass%77ord=hunter2\"",
        "\"postgresql://x:hunter2@localhost/db\"",
        "\"host='a b' password='hun\\\\'ter2'\"",
    ] {
        let s = Scratch::new();
        let cfg = postgres_config(&s, connection);
        let o = run(&["validate", cfg.to_str().unwrap()]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(3), "{connection}: {err}");
        assert!(err.contains("client.toml:5:14: "), "{connection}: {err}");
        assert!(err.contains("PGPASSWORD"), "{err}");
        assert!(err.contains("~/.pgpass"), "{err}");
        assert!(err.contains("PGPASSFILE"), "{err}");
        assert!(
            !err.contains("hunter2"),
            "the password is not echoed: {err}"
        );
    }
}

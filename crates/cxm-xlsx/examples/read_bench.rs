//! TEMPORARY (not committed): time reading a big workbook.
use cxm_ingest::{FieldSpec, FieldType, Zone};
fn main() {
    let path = std::path::Path::new("/tmp/big.xlsx");
    if !path.exists() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        for (c, h) in [
            "id", "region", "nps", "csat", "when", "comment", "plan", "x",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        let regions = ["North", "South", "East", "West"];
        for r in 1..200_000u32 {
            ws.write_number(r, 0, r as f64).unwrap();
            ws.write_string(r, 1, regions[(r % 4) as usize]).unwrap();
            ws.write_number(r, 2, (r % 11) as f64).unwrap();
            ws.write_number(r, 3, (r % 5 + 1) as f64).unwrap();
            ws.write_datetime_with_format(
                r,
                4,
                rust_xlsxwriter::ExcelDateTime::from_ymd(
                    2024,
                    1 + (r % 12) as u8,
                    1 + (r % 28) as u8,
                )
                .unwrap(),
                &date,
            )
            .unwrap();
            ws.write_string(r, 5, format!("comment number {r} with some text"))
                .unwrap();
            ws.write_string(r, 6, ["Free", "Pro"][(r % 2) as usize])
                .unwrap();
            ws.write_number(r, 7, r as f64 * 0.5).unwrap();
        }
        book.save(path).unwrap();
    }
    let fields = vec![
        FieldSpec::new("id", "id", FieldType::Integer),
        FieldSpec::new("region", "region", FieldType::String),
        FieldSpec::new("nps", "nps", FieldType::Integer),
        FieldSpec::new("when", "when", FieldType::Date),
        FieldSpec::new("comment", "comment", FieldType::String),
    ];
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let mut src = cxm_xlsx::XlsxSource::open(
            path,
            None,
            1,
            fields.clone(),
            &[String::new()],
            Zone::Utc,
            16384,
        )
        .unwrap();
        let mut n = 0;
        while let Some(b) = src.next_batch().unwrap() {
            n += b.lines.len();
        }
        println!("{n} rows in {:.3} s", t.elapsed().as_secs_f64());
    }
}

//! What to read: a table (its name quoted as identifiers) or a SQL query, the statements
//! built around it, and how it is named in errors.

/// Longest query text shown in a source name before it is shortened.
const MAX_NAME_CHARS: usize = 80;

/// The rows to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PgQuery {
    /// A table or view: `table` or `schema.table` (also `database.schema.table`). Each
    /// dot-separated part is quoted as an identifier, so it is matched exactly
    /// (case-sensitively); a part may already be double-quoted (`"My Schema".orders`).
    Table(String),
    /// A SQL query returning rows (`SELECT`, `WITH`, `VALUES`, `TABLE`); trailing
    /// semicolons are ignored. It runs inside a read-only transaction.
    Sql(String),
}

impl PgQuery {
    /// The query to run: `SELECT * FROM "schema"."table"` for a table, the query itself
    /// (without trailing semicolons and whitespace) otherwise.
    pub fn to_sql(&self) -> Result<String, String> {
        match self {
            PgQuery::Table(name) => Ok(format!("SELECT * FROM {}", quote_table(name)?)),
            PgQuery::Sql(sql) => {
                let sql = sql
                    .trim()
                    .trim_end_matches(|c: char| c == ';' || c.is_whitespace());
                if sql.is_empty() {
                    Err("the query is empty".to_owned())
                } else {
                    Ok(sql.to_owned())
                }
            }
        }
    }

    /// How the source is named in errors: `postgres: <table>` or `postgres: <query>` (the
    /// query on one line, shortened).
    pub fn source_name(&self) -> String {
        match self {
            PgQuery::Table(name) => format!("postgres: {}", name.trim()),
            PgQuery::Sql(sql) => {
                let one_line = sql.split_whitespace().collect::<Vec<_>>().join(" ");
                let mut chars = one_line.chars();
                let head: String = chars.by_ref().take(MAX_NAME_CHARS).collect();
                if chars.next().is_some() {
                    format!("postgres: {head}…")
                } else {
                    format!("postgres: {head}")
                }
            }
        }
    }
}

/// Quotes a `[[database.]schema.]table` name part by part.
pub(crate) fn quote_table(name: &str) -> Result<String, String> {
    let name = name.trim();
    let mut parts: Vec<String> = Vec::new();
    let mut chars = name.chars().peekable();
    loop {
        let mut part = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        part.push('"');
                    }
                    Some('"') => break,
                    Some(c) => part.push(c),
                    None => return Err(format!("table name {name:?} has an unclosed quote")),
                }
            }
            if !matches!(chars.peek(), None | Some('.')) {
                return Err(format!("table name {name:?} has text after a quoted part"));
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == '.' {
                    break;
                }
                part.push(c);
                chars.next();
            }
        }
        if part.is_empty() || part.contains('\0') {
            return Err(format!("table name {name:?} has an empty or invalid part"));
        }
        parts.push(format!("\"{}\"", part.replace('"', "\"\"")));
        match chars.next() {
            Some(_) => {}
            None => break,
        }
    }
    if parts.len() > 3 {
        return Err(format!(
            "table name {name:?} has too many parts (expected table, schema.table or \
             database.schema.table)"
        ));
    }
    Ok(parts.join("."))
}

/// `position` (1-based characters in a statement that starts with `prefix`) as a place in
/// `sql`: " at line L, column C of the query", or "" when it falls outside `sql`.
pub(crate) fn position_note(position: Option<u32>, prefix: &str, sql: &str) -> String {
    let Some(pos) = position else {
        return String::new();
    };
    let Some(index) = usize::try_from(pos)
        .ok()
        .and_then(|p| p.checked_sub(prefix.chars().count() + 1))
    else {
        return String::new();
    };
    let (mut line, mut column) = (1, 1);
    for (i, c) in sql.chars().enumerate() {
        if i == index {
            return format!(" at line {line}, column {column} of the query");
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_are_quoted_part_by_part() {
        assert_eq!(quote_table("orders").unwrap(), "\"orders\"");
        assert_eq!(
            quote_table(" sales.Orders ").unwrap(),
            "\"sales\".\"Orders\""
        );
        assert_eq!(quote_table("db.s.t").unwrap(), "\"db\".\"s\".\"t\"");
        assert_eq!(
            quote_table("\"My \"\"Schema\"\".x\".t").unwrap(),
            "\"My \"\"Schema\"\".x\".\"t\""
        );
        assert_eq!(
            quote_table("x\"; DROP TABLE y; --").unwrap(),
            "\"x\"\"; DROP TABLE y; --\""
        );
        for bad in ["", "a..b", "a.", ".a", "\"a", "\"a\"b", "a.b.c.d"] {
            assert!(quote_table(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sql_and_names() {
        let q = PgQuery::Sql("  SELECT 1 ;; \n".into());
        assert_eq!(q.to_sql().unwrap(), "SELECT 1");
        assert!(PgQuery::Sql(" ; ".into()).to_sql().is_err());
        assert_eq!(
            PgQuery::Table("s.t".into()).to_sql().unwrap(),
            "SELECT * FROM \"s\".\"t\""
        );
        assert_eq!(PgQuery::Table("s.t".into()).source_name(), "postgres: s.t");
        assert_eq!(
            PgQuery::Sql("SELECT a,\n  b FROM t".into()).source_name(),
            "postgres: SELECT a, b FROM t"
        );
        let long = PgQuery::Sql(format!("SELECT {}", "x".repeat(100))).source_name();
        assert_eq!(
            long.chars().count(),
            "postgres: ".len() + MAX_NAME_CHARS + 1
        );
        assert!(long.ends_with('…'));
    }

    #[test]
    fn positions_map_to_line_and_column() {
        let sql = "SELECT a\nFROM nope";
        assert_eq!(
            position_note(Some(19), "PRE\n", sql),
            " at line 2, column 6 of the query"
        );
        assert_eq!(
            position_note(Some(5), "PRE\n", sql),
            " at line 1, column 1 of the query"
        );
        assert_eq!(position_note(Some(2), "PRE\n", sql), "");
        assert_eq!(position_note(Some(99), "PRE\n", sql), "");
        assert_eq!(position_note(None, "PRE\n", sql), "");
    }
}

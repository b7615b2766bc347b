//! Finding a password in a PostgreSQL connection string, parsed the way libpq (and the
//! `postgres` driver cxm connects with) parses it, so that no spelling slips past the
//! "never a password in the config" rule.
//!
//! Two forms are understood:
//!
//! - **key/value** (`host=db user=alice password='s3 cret'`): keywords are separated from
//!   their values by `=` with optional whitespace around it; a value is a single-quoted
//!   string or runs to the next whitespace, and in both a backslash escapes the next
//!   character. A `dbname` value that is itself a connection string is checked too.
//! - **URI** (`postgresql://` or `postgres://`, the prefix in any case): a password in the
//!   userinfo (`user:password@`, up to the first `@`, as the driver reads it, or the last
//!   `@` of the authority, as URL parsers do), or a `password` query parameter, keys
//!   percent-decoded before they are compared (`?pass%77ord=` is `?password=`).
//!
//! Keywords are compared without regard to case, and `sslpassword` (the client key's
//! passphrase) counts as a password too. A string that does not parse is searched for any
//! `password` followed by `=`, erring on the side of refusing it.

/// Where a connection string holds a password. Never carries the password itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordIn {
    /// A key/value keyword, as written (`password`, `PASSWORD`, `sslpassword`).
    Keyword(String),
    /// The `user:password@` part of a URI.
    UserInfo,
    /// A URI query parameter, as written (`password`, `pass%77ord`).
    QueryParameter(String),
    /// A string that does not parse, with `password` followed by `=` somewhere in it.
    Unparsed,
}

impl std::fmt::Display for PasswordIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PasswordIn::Keyword(k) => write!(f, "the keyword `{k}`"),
            PasswordIn::UserInfo => f.write_str("the `user:password@` part of the URI"),
            PasswordIn::QueryParameter(p) => write!(f, "the URI parameter `{p}`"),
            PasswordIn::Unparsed => f.write_str("`password=` in a string that does not parse"),
        }
    }
}

/// Where `connection` holds a password, if it holds one (see the module docs).
pub fn connection_password(connection: &str) -> Option<PasswordIn> {
    let text = connection.trim_start();
    if let Some(rest) = strip_uri_prefix(text) {
        return uri_password(rest);
    }
    match key_values(text) {
        Ok(pairs) => pairs.into_iter().find_map(|(key, value)| {
            if is_password_key(&key) {
                Some(PasswordIn::Keyword(key))
            } else if key.eq_ignore_ascii_case("dbname") && looks_like_connection(&value) {
                connection_password(&value)
            } else {
                None
            }
        }),
        Err(()) => loose_password(text).then_some(PasswordIn::Unparsed),
    }
}

fn is_password_key(key: &str) -> bool {
    let key = key.trim();
    key.eq_ignore_ascii_case("password") || key.eq_ignore_ascii_case("sslpassword")
}

fn looks_like_connection(value: &str) -> bool {
    value.contains('=') || strip_uri_prefix(value.trim_start()).is_some()
}

/// The text after `postgresql://` or `postgres://` (any case).
fn strip_uri_prefix(text: &str) -> Option<&str> {
    ["postgresql://", "postgres://"].iter().find_map(|prefix| {
        text.get(..prefix.len())
            .filter(|head| head.eq_ignore_ascii_case(prefix))
            .map(|_| &text[prefix.len()..])
    })
}

/// Parses the libpq key/value form into (keyword, value) pairs; `Err` when it is not
/// well-formed (a keyword without `=`, an unterminated quote).
fn key_values(text: &str) -> Result<Vec<(String, String)>, ()> {
    let mut pairs = Vec::new();
    let mut chars = text.chars().peekable();
    let skip_space = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
    };
    loop {
        skip_space(&mut chars);
        if chars.peek().is_none() {
            return Ok(pairs);
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|&c| c != '=' && !c.is_whitespace()) {
            key.push(c);
        }
        skip_space(&mut chars);
        if chars.next() != Some('=') {
            return Err(());
        }
        skip_space(&mut chars);
        let mut value = String::new();
        if chars.next_if_eq(&'\'').is_some() {
            loop {
                match chars.next() {
                    None => return Err(()),
                    Some('\\') => value.extend(chars.next()),
                    Some('\'') => break,
                    Some(c) => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                if c == '\\' {
                    value.extend(chars.next());
                } else {
                    value.push(c);
                }
            }
        }
        pairs.push((key, value));
    }
}

/// A password in a URI (after its `scheme://`).
fn uri_password(rest: &str) -> Option<PasswordIn> {
    // The driver takes the userinfo up to the first `@` anywhere; URL parsers up to the
    // last `@` of the authority (before the first `/`, `?` or `#`).
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let first = rest.split_once('@').map(|(userinfo, _)| userinfo);
    let last = authority.rsplit_once('@').map(|(userinfo, _)| userinfo);
    if first.into_iter().chain(last).any(|u| u.contains(':')) {
        return Some(PasswordIn::UserInfo);
    }
    let (_, query) = rest.split_once('?')?;
    let query = query.split('#').next().unwrap_or_default();
    query.split('&').find_map(|param| {
        let key = param.split_once('=').map_or(param, |(k, _)| k);
        let decoded = percent_decode(key);
        let value = param.split_once('=').map(|(_, v)| percent_decode(v));
        if is_password_key(&decoded) {
            Some(PasswordIn::QueryParameter(key.to_string()))
        } else if decoded.trim().eq_ignore_ascii_case("dbname")
            && value.as_deref().is_some_and(looks_like_connection)
        {
            value.as_deref().and_then(connection_password)
        } else {
            None
        }
    })
}

/// Percent-decodes `text` (lossy UTF-8); a `%` not followed by two hex digits stays as is.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: Option<&u8>| b.and_then(|b| (*b as char).to_digit(16));
        match (bytes[i], hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// For strings that do not parse: `password` (any case, percent-decoded) followed by
/// optional whitespace and `=`.
fn loose_password(text: &str) -> bool {
    let lower = percent_decode(text).to_ascii_lowercase();
    lower
        .match_indices("password")
        .any(|(i, word)| lower[i + word.len()..].trim_start().starts_with('='))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connection_has_password(connection: &str) -> bool {
        connection_password(connection).is_some()
    }

    #[test]
    fn the_reported_bypasses_are_caught() {
        assert_eq!(
            connection_password("host=127.0.0.1 user=x password = x"),
            Some(PasswordIn::Keyword("password".into()))
        );
        assert_eq!(
            connection_password("host=127.0.0.1 user=x password\t=x"),
            Some(PasswordIn::Keyword("password".into()))
        );
        assert_eq!(
            connection_password("postgres://localhost/db?pass%77ord=x"),
            Some(PasswordIn::QueryParameter("pass%77ord".into()))
        );
    }

    #[test]
    fn key_value_passwords_are_found() {
        for s in [
            "host=db user=x password=secret",
            "password=",
            "password=''",
            "password='se cret' host=db",
            "host='a \\' b' password='x'",
            "host=a\\ b password=x",
            "  password\n=\n'x'",
            "PASSWORD=x",
            "Password = x",
            "sslpassword=x",
            "host=db dbname='host=db password=x'",
            "host=db dbname=postgres://u:p@h/d",
        ] {
            assert!(connection_has_password(s), "{s:?}");
        }
    }

    #[test]
    fn uri_passwords_are_found() {
        for s in [
            "postgres://u:p@localhost/db",
            "postgresql://u:@localhost:5432/db",
            "POSTGRESQL://u:p@localhost/db",
            " postgres://u:p@localhost/db",
            "postgres://u%40x:p@localhost/db",
            "postgres://localhost/db?user=u&password=p",
            "postgres://localhost/db?PASSWORD=p",
            "postgres://localhost/db?%70%61%73%73%77%6f%72%64=p",
            "postgres://localhost/db?password",
            "postgres://localhost/db?sslpassword=p",
            "postgresql://localhost?dbname=host%3Dh%20password%3Dp",
            "postgres://u:p@[::1]:5432/db",
            "postgres://a@b:c@localhost/db",
        ] {
            assert!(connection_has_password(s), "{s:?}");
        }
    }

    #[test]
    fn unparsable_strings_with_a_password_are_refused() {
        for s in ["host='unterminated password=x", "user x password=y"] {
            assert_eq!(connection_password(s), Some(PasswordIn::Unparsed), "{s:?}");
        }
        assert_eq!(connection_password("host='unterminated"), None);
    }

    #[test]
    fn ordinary_connection_strings_pass() {
        for s in [
            "",
            "host=127.0.0.1 port=5432 user=postgres dbname=x",
            "host=/var/run/postgresql dbname=sales",
            "dbname=password_db user=passwordless",
            "host=db application_name='password = none'",
            "host=db options='-c search_path=password'",
            "passfile=/home/alice/.pgpass host=db",
            "service=sales",
            "postgres://u@localhost/db",
            "postgresql://localhost:5432/db?user=alice",
            "postgres:///db?host=/var/run/postgresql",
            "postgresql://[::1]:5432/db",
            "postgresql://alice@[::1]:5432/db?application_name=password",
            "postgresql://localhost/password?passfile=/tmp/pass",
            "postgresql://u%3Ap@localhost/db",
        ] {
            assert_eq!(connection_password(s), None, "{s:?}");
        }
    }

    #[test]
    fn messages_never_hold_the_password() {
        for s in [
            "password=hunter2",
            "postgres://u:hunter2@h/d",
            "postgres://h/d?pass%77ord=hunter2",
            "host='x password=hunter2",
        ] {
            let found = connection_password(s).expect(s).to_string();
            assert!(!found.contains("hunter2"), "{found}");
        }
    }
}

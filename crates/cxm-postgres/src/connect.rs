//! Connecting: parses a libpq key/value string or `postgres://` URL, fills what it leaves out
//! the way libpq does (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, and the password from
//! `PGPASSWORD` or the password file `PGPASSFILE` / `~/.pgpass`), refuses hosts that are not
//! on this machine (there is no TLS), and turns driver errors into messages that never carry
//! the password.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use postgres::config::Host;
use postgres::error::ErrorPosition;
use postgres::{Client, Config, NoTls};

/// Port used when neither the connection string nor `PGPORT` names one.
const DEFAULT_PORT: u16 = 5432;
/// Connect timeout used when the connection string does not set `connect_timeout`.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether `connection` contains a password: a `password` key in a key/value string, a
/// `user:password@` part or a `password` parameter in a URL.
pub fn has_password(connection: &str) -> bool {
    match Config::from_str(connection) {
        Ok(config) => config.get_password().is_some(),
        Err(_) => looks_like_password(connection),
    }
}

/// Fallback for strings the driver cannot parse: errs on the side of "has a password".
fn looks_like_password(connection: &str) -> bool {
    let s = connection.trim();
    let lower = s.to_ascii_lowercase();
    if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
        let rest = s.split_once("://").map_or("", |(_, r)| r);
        let authority = rest.split(['/', '?']).next().unwrap_or_default();
        if let Some((userinfo, _)) = authority.rsplit_once('@') {
            if userinfo.contains(':') {
                return true;
            }
        }
        return lower.contains("password=");
    }
    let mut rest = lower.as_str();
    while let Some(i) = rest.find("password") {
        let after = &rest[i + "password".len()..];
        if after.trim_start().starts_with('=') {
            return true;
        }
        rest = after;
    }
    false
}

/// A connection error: `message` is safe to show (no password).
#[derive(Debug)]
pub(crate) struct ConnectError(pub(crate) String);

/// Parses `connection`, applies libpq's environment defaults, checks the hosts are local, and
/// connects without TLS.
pub(crate) fn connect(connection: &str) -> Result<Client, ConnectError> {
    let mut config = Config::from_str(connection)
        .map_err(|e| ConnectError(format!("invalid connection string: {}", error_text(&e))))?;
    apply_env_defaults(&mut config);
    check_local(&config)?;
    if config.get_password().is_none() {
        if let Some(password) = lookup_password(&config) {
            config.password(password);
        }
    }
    let password = config
        .get_password()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    config.connect(NoTls).map_err(|e| {
        ConnectError(redact(
            &format!("cannot connect: {}", error_text(&e)),
            password.as_deref(),
        ))
    })
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn apply_env_defaults(config: &mut Config) {
    if config.get_hosts().is_empty() && config.get_hostaddrs().is_empty() {
        let host = env("PGHOST").unwrap_or_else(|| "localhost".to_owned());
        for h in host.split(',') {
            config.host(h.trim());
        }
    }
    if config.get_ports().is_empty() {
        if let Some(port) = env("PGPORT").and_then(|p| p.trim().parse().ok()) {
            config.port(port);
        }
    }
    if config.get_user().is_none() {
        if let Some(user) = env("PGUSER") {
            config.user(&user);
        }
    }
    if config.get_dbname().is_none() {
        if let Some(db) = env("PGDATABASE") {
            config.dbname(&db);
        }
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
    }
}

/// Whether a TCP host name or address is this machine.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Refuses TCP hosts other than loopback: the connection is not encrypted.
fn check_local(config: &Config) -> Result<(), ConnectError> {
    let refuse = |host: &str| {
        ConnectError(format!(
            "host \"{host}\" is not a loopback address: only local servers (localhost, \
             127.0.0.1, ::1 or a Unix socket directory) are supported, as the connection is \
             not encrypted"
        ))
    };
    for host in config.get_hosts() {
        if let Host::Tcp(name) = host {
            if !is_loopback(name) {
                return Err(refuse(name));
            }
        }
    }
    for addr in config.get_hostaddrs() {
        if !addr.is_loopback() {
            return Err(refuse(&addr.to_string()));
        }
    }
    Ok(())
}

/// The password from `PGPASSWORD`, else from the password file.
fn lookup_password(config: &Config) -> Option<String> {
    if let Some(p) = std::env::var_os("PGPASSWORD") {
        return Some(p.to_string_lossy().into_owned());
    }
    let file = match std::env::var_os("PGPASSFILE") {
        Some(f) => PathBuf::from(f),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".pgpass"),
    };
    let text = read_private(&file)?;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        // libpq matches a Unix-socket connection against "localhost".
        _ => match config.get_hostaddrs().first() {
            Some(addr) => addr.to_string(),
            None => "localhost".to_owned(),
        },
    };
    let port = config.get_ports().first().copied().unwrap_or(DEFAULT_PORT);
    let user = config
        .get_user()
        .map(str::to_owned)
        .or_else(|| env("USER"))?;
    let dbname = config.get_dbname().unwrap_or(&user);
    pgpass_lookup(&text, &host, port, dbname, &user)
}

/// The password file's text; like libpq, a file others can read is ignored.
fn read_private(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            return None;
        }
    }
    if !meta.is_file() {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// Finds the first `hostname:port:database:username:password` line of a password file that
/// matches (`*` matches anything; `\:` and `\\` are escapes).
pub(crate) fn pgpass_lookup(
    text: &str,
    host: &str,
    port: u16,
    dbname: &str,
    user: &str,
) -> Option<String> {
    let port = port.to_string();
    let wanted = [host, port.as_str(), dbname, user];
    for line in text.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = split_pgpass(line);
        if fields.len() < 5 {
            continue;
        }
        let matches = fields
            .iter()
            .zip(wanted)
            .all(|(field, want)| field == "*" || field == want);
        if matches {
            return fields.into_iter().nth(4);
        }
    }
    None
}

/// Splits a password-file line on unescaped colons, removing the escapes. The fifth field
/// takes the rest of the line.
fn split_pgpass(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(field)) = (chars.next(), fields.last_mut()) {
                    field.push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            _ => {
                if let Some(field) = fields.last_mut() {
                    field.push(c);
                }
            }
        }
    }
    fields
}

/// The driver's error as text: the server's message with its severity, detail and hint when
/// the server sent one.
pub(crate) fn error_text(err: &postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => {
            let mut msg = format!("{}: {}", db.severity(), db.message());
            if let Some(detail) = db.detail() {
                msg.push_str(&format!(" (detail: {detail})"));
            }
            if let Some(hint) = db.hint() {
                msg.push_str(&format!(" (hint: {hint})"));
            }
            msg
        }
        None => {
            let mut msg = err.to_string();
            let mut source = std::error::Error::source(err);
            while let Some(s) = source {
                let text = s.to_string();
                if !msg.contains(&text) {
                    msg.push_str(&format!(": {text}"));
                }
                source = s.source();
            }
            msg
        }
    }
}

/// The 1-based character position of a server error in the statement sent, if it has one.
pub(crate) fn error_position(err: &postgres::Error) -> Option<u32> {
    match err.as_db_error()?.position()? {
        ErrorPosition::Original(p) => Some(*p),
        ErrorPosition::Internal { .. } => None,
    }
}

/// Replaces every occurrence of `password` in `message`.
pub(crate) fn redact(message: &str, password: Option<&str>) -> String {
    match password {
        Some(p) if !p.is_empty() => message.replace(p, "********"),
        _ => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_password_in_key_value_and_url_strings() {
        for s in [
            "host=127.0.0.1 user=postgres password=secret dbname=x",
            "host=127.0.0.1 password = 'se cret'",
            "password=''",
            "postgres://alice:secret@localhost/db",
            "postgresql://alice:@localhost:5432/db",
            "postgres://localhost/db?user=alice&password=secret",
            "postgres://alice:secret@localhost/db?unknown_option=1",
            "host=x password=secret unknown_key=1",
        ] {
            assert!(has_password(s), "{s}");
        }
        for s in [
            "host=127.0.0.1 port=55432 user=postgres dbname=cxm_test",
            "postgres://alice@localhost/db",
            "postgresql://localhost:5432/db?user=alice",
            "postgres:///db?host=/var/run/postgresql",
            "dbname=password_db user=passwordless",
            "",
        ] {
            assert!(!has_password(s), "{s}");
        }
    }

    #[test]
    fn pgpass_matching_with_wildcards_and_escapes() {
        let text = "# comment\n\
                    db.example:5432:*:bob:nope\n\
                    localhost:5432:sales:alice:first\n\
                    *:*:*:alice:pa\\:ss\\\\word:tail\n";
        assert_eq!(
            pgpass_lookup(text, "localhost", 5432, "sales", "alice").as_deref(),
            Some("first")
        );
        assert_eq!(
            pgpass_lookup(text, "127.0.0.1", 55432, "other", "alice").as_deref(),
            Some("pa:ss\\word:tail")
        );
        assert_eq!(
            pgpass_lookup(text, "localhost", 5432, "sales", "carol"),
            None
        );
    }

    #[test]
    fn refuses_remote_hosts_and_redacts() {
        for (s, ok) in [
            ("host=localhost", true),
            ("host=127.0.0.2 port=1", true),
            ("host=/var/run/postgresql", true),
            ("postgres://[::1]:5432/db", true),
            ("hostaddr=127.0.0.1", true),
            ("host=db.example.com", false),
            ("postgres://10.0.0.5/db", false),
            ("host=localhost hostaddr=192.168.1.2", false),
        ] {
            let config = Config::from_str(s).unwrap();
            assert_eq!(check_local(&config).is_ok(), ok, "{s}");
        }
        assert!(is_loopback("LOCALHOST") && !is_loopback("localhost.example.com"));
        assert_eq!(
            redact("bad secret here", Some("secret")),
            "bad ******** here"
        );
        assert_eq!(redact("bad secret here", Some("")), "bad secret here");
    }
}

//! Spark Connect connection strings, as Spark's clients read them
//! (`connector/connect/docs/client-connection-string.md` in the Spark repository):
//! `sc://host[:port][/;param=value;…]`, port 15002 by default, parameter values
//! percent-encoded.

use tonic::metadata::{AsciiMetadataKey, AsciiMetadataValue};

use crate::SparkError;

/// The default Spark Connect port.
pub const DEFAULT_PORT: u16 = 15002;

/// Where a Spark Connect server is and how to talk to it.
#[derive(Clone, PartialEq, Eq)]
pub struct Remote {
    /// Host name or address (an IPv6 address without its brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// TLS (`use_ssl=true`, or implied by a token).
    pub use_ssl: bool,
    /// Bearer token (`token=…`), sent as `authorization`.
    pub token: Option<String>,
    /// User id (`user_id=…`; default: the `USER` environment variable, else `cxm`).
    pub user_id: String,
    /// User agent (`user_agent=…`).
    pub user_agent: Option<String>,
    /// A session to join (`session_id=…`, a UUID); default: a new one per connection.
    pub session_id: Option<String>,
    /// Every other parameter, sent as a gRPC header.
    pub headers: Vec<(String, String)>,
}

impl std::fmt::Debug for Remote {
    /// Never shows the token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("use_ssl", &self.use_ssl)
            .field("token", &self.token.as_ref().map(|_| "…"))
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

impl Remote {
    /// Parses a connection string.
    pub fn parse(text: &str) -> Result<Remote, SparkError> {
        let bad = |why: &str| {
            SparkError::Remote(format!(
                "{why} (expected sc://host[:port][/;param=value;…])"
            ))
        };
        let rest = text
            .trim()
            .strip_prefix("sc://")
            .ok_or_else(|| bad("it does not start with sc://"))?;
        let (authority, params) = match rest.split_once('/') {
            Some((a, p)) => (a, p),
            None => (rest, ""),
        };
        let params = match params {
            "" => "",
            p => p
                .strip_prefix(';')
                .ok_or_else(|| bad("parameters follow \"/;\""))?,
        };
        if authority.contains('@') {
            return Err(bad(
                "user information in the host is not supported; use ;user_id=… and ;token=…",
            ));
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, after) = v6
                .split_once(']')
                .ok_or_else(|| bad("an IPv6 address needs its closing ]"))?;
            (h.to_string(), after.strip_prefix(':'))
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (authority.to_string(), None),
            }
        };
        if host.is_empty() {
            return Err(bad("the host is missing"));
        }
        let port = match port {
            None => DEFAULT_PORT,
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| bad(&format!("port \"{p}\" is not a port number")))?,
        };
        let mut remote = Remote {
            host,
            port,
            use_ssl: false,
            token: None,
            user_id: std::env::var("USER")
                .ok()
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| "cxm".to_string()),
            user_agent: None,
            session_id: None,
            headers: Vec::new(),
        };
        let mut ssl: Option<bool> = None;
        for part in params.split(';').filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| bad(&format!("parameter \"{part}\" has no value")))?;
            let value = percent_decode(value).ok_or_else(|| {
                bad(&format!(
                    "parameter \"{key}\" is not valid percent-encoded UTF-8"
                ))
            })?;
            match key {
                "token" => remote.token = Some(value),
                "use_ssl" => {
                    ssl = Some(match value.to_ascii_lowercase().as_str() {
                        "true" => true,
                        "false" => false,
                        _ => return Err(bad("use_ssl is true or false")),
                    })
                }
                "user_id" => remote.user_id = value,
                "user_agent" => remote.user_agent = Some(value),
                "session_id" => {
                    if uuid::Uuid::parse_str(&value).is_err() {
                        return Err(bad("session_id is a UUID"));
                    }
                    remote.session_id = Some(value)
                }
                _ => remote.headers.push((key.to_string(), value)),
            }
        }
        remote.use_ssl = ssl.unwrap_or(remote.token.is_some());
        // Refuse bad headers now rather than at the first query.
        remote.headers()?;
        Ok(remote)
    }

    /// `host:port`, an IPv6 host in brackets.
    pub fn endpoint(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The headers every call carries: the token and the extra parameters.
    pub(crate) fn headers(
        &self,
    ) -> Result<Vec<(AsciiMetadataKey, AsciiMetadataValue)>, SparkError> {
        let mut out = Vec::new();
        if let Some(token) = &self.token {
            let value = AsciiMetadataValue::try_from(format!("Bearer {token}")).map_err(|_| {
                SparkError::Remote("the token holds characters a header cannot carry".into())
            })?;
            out.push((AsciiMetadataKey::from_static("authorization"), value));
        }
        for (key, value) in &self.headers {
            let k = AsciiMetadataKey::from_bytes(key.to_ascii_lowercase().as_bytes()).map_err(
                |_| SparkError::Remote(format!("parameter \"{key}\" cannot be sent as a header")),
            )?;
            let v = AsciiMetadataValue::try_from(value.as_str()).map_err(|_| {
                SparkError::Remote(format!("the value of \"{key}\" cannot be sent as a header"))
            })?;
            out.push((k, v));
        }
        Ok(out)
    }
}

/// Decodes `%XX` escapes; `None` for a bad escape or bytes that are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_default_port() {
        let r = Remote::parse("sc://localhost").unwrap();
        assert_eq!(
            (r.host.as_str(), r.port, r.use_ssl),
            ("localhost", 15002, false)
        );
        assert_eq!(r.endpoint(), "localhost:15002");
        let r = Remote::parse("sc://127.0.0.1:21879").unwrap();
        assert_eq!(r.endpoint(), "127.0.0.1:21879");
        let r = Remote::parse("sc://[::1]:9000/").unwrap();
        assert_eq!((r.host.as_str(), r.port), ("::1", 9000));
        assert_eq!(r.endpoint(), "[::1]:9000");
    }

    #[test]
    fn parameters_token_tls_and_headers() {
        let r = Remote::parse(
            "sc://dbc.example.com:443/;token=dapi%3D1;x-databricks-cluster-id=0123-abc;user_id=ana",
        )
        .unwrap();
        assert_eq!(r.token.as_deref(), Some("dapi=1"));
        assert!(r.use_ssl, "a token implies TLS");
        assert_eq!(r.user_id, "ana");
        let headers = r.headers().unwrap();
        assert_eq!(headers[0].0.as_str(), "authorization");
        assert_eq!(headers[0].1.to_str().unwrap(), "Bearer dapi=1");
        assert_eq!(headers[1].0.as_str(), "x-databricks-cluster-id");
        assert!(!format!("{r:?}").contains("dapi"), "Debug hides the token");
        let r = Remote::parse("sc://h/;token=t;use_ssl=false").unwrap();
        assert!(!r.use_ssl);
    }

    #[test]
    fn malformed_strings_are_refused_with_the_reason() {
        for (text, why) in [
            ("http://h:1", "does not start with sc://"),
            ("sc://:15002", "host is missing"),
            ("sc://h:99999", "not a port number"),
            ("sc://h/x=1", "parameters follow"),
            ("sc://h/;token", "has no value"),
            ("sc://h/;use_ssl=yes", "use_ssl is true or false"),
            ("sc://h/;session_id=42", "session_id is a UUID"),
            ("sc://h/;a%zz=1;b=%zz", "percent-encoded"),
            ("sc://user:pw@h", "user information"),
        ] {
            let e = Remote::parse(text).unwrap_err().to_string();
            assert!(e.contains(why), "{text}: {e}");
        }
    }
}

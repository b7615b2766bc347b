//! Sortable tables: the page's only script, inline and allowed by its SHA-256 in the
//! Content-Security-Policy (so no other script can run, and nothing can be fetched). A
//! click (or Enter) on a column header sorts the table by that column, numbers by the exact
//! value of their figure; a second click reverses. Without scripts the tables read as
//! rendered.

use sha2::{Digest, Sha256};

/// The script.
pub const SCRIPT: &str = r#"(function(){
function key(td){var d=td.querySelector('data.fig');if(d){return [0,parseFloat(d.getAttribute('value'))];}var t=td.textContent.trim();return [t===''?2:1,t];}
function cmp(a,b){if(a[0]!==b[0]){return a[0]-b[0];}if(a[0]===0){return a[1]-b[1];}return a[1].localeCompare(b[1]);}
document.querySelectorAll('table').forEach(function(table){
  var ths=table.querySelectorAll('thead th');
  ths.forEach(function(th,col){
    th.tabIndex=0;th.setAttribute('aria-sort','none');th.classList.add('sortable');
    function sort(){
      var asc=th.getAttribute('aria-sort')!=='ascending';
      ths.forEach(function(o){o.setAttribute('aria-sort','none');});
      th.setAttribute('aria-sort',asc?'ascending':'descending');
      var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
      rows.sort(function(r1,r2){var c=cmp(key(r1.cells[col]),key(r2.cells[col]));return asc?c:-c;});
      rows.forEach(function(r){body.appendChild(r);});
    }
    th.addEventListener('click',sort);
    th.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();sort();}});
  });
});
})();"#;

/// The CSP source that allows exactly [`SCRIPT`]: `'sha256-<base64>'`.
pub fn script_hash() -> String {
    format!("'sha256-{}'", base64(&Sha256::digest(SCRIPT.as_bytes())))
}

/// Standard base64 with padding (RFC 4648), as CSP hashes are written.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn the_hash_is_of_the_script() {
        // sha256("abc") in base64, the form a CSP hash takes.
        assert_eq!(
            base64(&Sha256::digest(b"abc")),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
        assert!(script_hash().starts_with("'sha256-") && script_hash().ends_with("='"));
    }
}

//! Tests of the XML measure: what it counts, fed whole or a byte at a time.

use super::*;

const LIMITS: ScanLimits = ScanLimits {
    max_span: 20,
    max_depth: 3,
};

/// Scans `xml` whole, then a byte at a time (splits must not change the outcome).
fn scan(xml: &str) -> Result<(), ScanError> {
    let mut whole = XmlScan::new(LIMITS);
    let first = whole.feed(xml.as_bytes()).and_then(|()| whole.finish());
    let mut bytes = XmlScan::new(LIMITS);
    let second = xml
        .as_bytes()
        .iter()
        .try_for_each(|b| bytes.feed(std::slice::from_ref(b)))
        .and_then(|()| bytes.finish());
    assert_eq!(first, second, "{xml}");
    first
}

#[test]
fn ordinary_parts_pass() {
    scan("<?xml v=\"1\"?><a><b x='1'/><c r=\"A1\"><v>12</v></c></a>").unwrap();
    scan("<a><!-- a comment --><![CDATA[x]]></a>").unwrap();
    // A `>` inside quotes does not end a tag, in start and end tags alike.
    scan("<a x='>>'></a y=\">\">").unwrap();
}

#[test]
fn long_tokens_fail() {
    assert_eq!(
        scan("<a>0123456789012345678901</a>"),
        Err(ScanError::Token { at: 3 })
    );
    assert_eq!(
        scan("<a b='>>>>>>>>>>>>>>>>>>>>>'/>"),
        Err(ScanError::Token { at: 0 })
    );
    assert_eq!(
        scan("<!-- ->->->->->->->->-> -->"),
        Err(ScanError::Token { at: 0 })
    );
    assert_eq!(
        scan("<?pi >>>>>>>>>>>>>>>>>>>>> ?>"),
        Err(ScanError::Token { at: 0 })
    );
    // Unclosed at the end.
    assert_eq!(
        scan("<a b='0123456789012345678"),
        Err(ScanError::Token { at: 0 })
    );
}

#[test]
fn value_elements_are_measured_to_their_closing_tag() {
    // Short tokens, but one value 24 bytes long from `<v>` to `</v>`.
    let err = scan("<c r=\"B7\"><v>aaa<x/>aaa<x/>aaa</v></c>").unwrap_err();
    assert_eq!(
        err,
        ScanError::Value {
            name: "v".into(),
            at: 10,
            cell: Some("B7".into())
        }
    );
    // A closing tag of another prefix does not end it.
    assert!(matches!(
        scan("<x:v>aaa</y:v>aaaaaaaaaa</x:v>"),
        Err(ScanError::Value { .. })
    ));
    // Values under the limit pass, one after another.
    scan("<v>aaaaaaaa</v><v>aaaaaaaa</v><t>aaaaaaaa</t>").unwrap();
    // A value element with a name too long to read counts to the end.
    let long = format!("<{}:v>a", "p".repeat(300));
    assert!(scan(&long).is_err());
}

#[test]
fn nesting_is_bounded() {
    scan("<a><b><c/></b></a><a><b><c></c></b></a>").unwrap();
    assert_eq!(
        scan("<a><b><c><d></d></c></b></a>"),
        Err(ScanError::Depth { at: 9 })
    );
}

#[test]
fn declarations_are_refused() {
    assert_eq!(
        scan("<!DOCTYPE a [<!ENTITY x 'y'>]><a/>"),
        Err(ScanError::Declaration { at: 0 })
    );
}

#[test]
fn captures_the_first_tag_of_a_name() {
    let xml = b"<?xml?><x:sst count=\"2\" uniqueCount=\"9\"><si/></x:sst>";
    let mut s = XmlScan::new(ScanLimits {
        max_span: 100,
        max_depth: 3,
    })
    .capture(b"sst");
    s.feed(xml).unwrap();
    assert_eq!(
        s.captured(),
        Some((&b"x:sst count=\"2\" uniqueCount=\"9\""[..], false))
    );
    assert_eq!(s.bytes(), xml.len() as u64);
}

#[test]
fn cell_references_are_read_from_cell_tags() {
    assert_eq!(cell_reference(b"c r=\"XFD1\" s=\"2\""), Some("XFD1".into()));
    assert_eq!(cell_reference(b"c s=\"1\" r='A2'"), Some("A2".into()));
    assert_eq!(cell_reference(b"c attr=\"r=x\""), None);
    assert_eq!(cell_reference(b"c"), None);
}

//! Tests of grouping: assignment, chunk folding, projection and interning.

use super::*;
use arrow_array::{StringArray, TimestampMicrosecondArray};
use cxm_report::Name;
use std::sync::Arc;

fn columns(regions: Vec<Option<&str>>, days: &[i64]) -> Vec<ArrayRef> {
    let day = 86_400_000_000i64;
    let region: ArrayRef = Arc::new(StringArray::from(regions));
    let ts: ArrayRef = Arc::new(
        TimestampMicrosecondArray::from(days.iter().map(|d| d * day).collect::<Vec<_>>())
            .with_timezone("UTC"),
    );
    vec![region, ts]
}

fn month_rule() -> PeriodRule {
    PeriodRule::new(cxm_period::Grain::Month, cxm_period::Zone::Utc, 1).unwrap()
}

#[test]
fn assigns_groups_and_projects_rollups() {
    // 2025-03-01, 2025-03-02, 2025-04-01, 2025-04-02 (UTC).
    let cols = columns(
        vec![Some("N"), Some("S"), Some("N"), None],
        &[20_148, 20_149, 20_179, 20_180],
    );
    let mut g = Grouper::new(&[(0, "region".into())], Some((1, month_rule())));
    let mut ids = Vec::new();
    g.assign(&cols, 4, &[], &mut ids);
    assert_eq!(ids, vec![0, 1, 2, 3]);
    let (map, labels) = g.project(&[]);
    assert_eq!(map, vec![0, 0, 0, 0]);
    assert_eq!(labels, vec![vec![]]);
    let (map, labels) = g.project(&[1]);
    assert_eq!(map, vec![0, 0, 1, 1]);
    assert_eq!(
        labels[0],
        vec![(Name::from("period"), Some("2025-03".to_string()))]
    );
    let (map, labels) = g.project(&[0]);
    assert_eq!(map, vec![0, 1, 0, 2]);
    assert_eq!(labels[2], vec![(Name::from("region"), None)]);
}

#[test]
fn absorbing_chunks_matches_one_pass() {
    let all = columns(
        vec![Some("N"), Some("S"), Some("N"), None, Some("S"), Some("E")],
        &[20_148, 20_149, 20_179, 20_180, 20_179, 20_148],
    );
    let mut whole = Grouper::new(&[(0, "region".into())], Some((1, month_rule())));
    let mut ids = Vec::new();
    whole.assign(&all, 6, &[], &mut ids);
    assert_eq!(ids, vec![0, 1, 2, 3, 4, 5]);

    // The same rows in two chunks, each with its own grouper, folded in order.
    let mut merged = whole.fresh();
    let first = columns(
        vec![Some("N"), Some("S"), Some("N")],
        &[20_148, 20_149, 20_179],
    );
    let second = columns(vec![None, Some("S"), Some("E")], &[20_180, 20_179, 20_148]);
    let mut maps = Vec::new();
    for cols in [first, second] {
        let mut local = merged.fresh();
        let mut local_ids = Vec::new();
        local.assign(&cols, 3, &[], &mut local_ids);
        let map = merged.absorb(&local);
        maps.push(
            local_ids
                .iter()
                .map(|&i| map[i as usize])
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(maps, vec![vec![0, 1, 2], vec![3, 4, 5]]);
    for subset in [vec![], vec![0], vec![1], vec![0, 1]] {
        assert_eq!(merged.project(&subset), whole.project(&subset));
    }
    // A chunk whose rows were all skipped maps its group 0 to group 0.
    let empty = merged.fresh();
    assert_eq!(merged.absorb(&empty), vec![0]);
}

#[test]
fn short_and_long_values_intern_apart() {
    let mut interner = Interner::default();
    let values = [
        "",
        "a",
        "a\0",
        "North",
        "Central",
        "Southwest",
        "a\0\0\0\0\0\0",
    ];
    let ids: Vec<u32> = values.iter().map(|v| interner.text(v)).collect();
    assert_eq!(ids, vec![0, 1, 2, 3, 4, 5, 6]);
    let again: Vec<u32> = values.iter().map(|v| interner.text(v)).collect();
    assert_eq!(again, ids);
    assert_eq!(interner.label(5).as_deref(), Some("Southwest"));
    assert_eq!(interner.label(2).as_deref(), Some("a\0"));
    assert_eq!(interner.values[5], KeyValue::Long(0));
    assert_eq!(unpack_short(pack_short(b"North").unwrap_or(0)), "North");
    assert_eq!(pack_short(b"abcdefgh"), None);
    assert_ne!(pack_short(b"a"), pack_short(b"a\0"));
}

#[test]
fn typed_dimensions_sort_naturally() {
    use arrow_array::{BooleanArray, Date32Array, Int64Array};
    let cols: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(vec![Some(10), Some(2), None, Some(-1)])),
        Arc::new(BooleanArray::from(vec![true, false, true, false])),
        Arc::new(Date32Array::from(vec![20_148, 0, 20_148, -1])),
        Arc::new(StringArray::from(vec!["25+", "0-12", "x", "13-24"])),
    ];
    let dims: Vec<(usize, String)> = ["n", "b", "d", "band"]
        .iter()
        .enumerate()
        .map(|(i, n)| (i, n.to_string()))
        .collect();
    let orders = vec![
        vec![],
        vec![],
        vec![],
        vec!["0-12".to_string(), "13-24".into(), "25+".into()],
    ];
    let mut g = Grouper::new(&dims, None).with_orders(orders);
    let mut ids = Vec::new();
    g.assign(&cols, 4, &[], &mut ids);
    let sorted = |k: usize| {
        let (_, labels, keys) = g.project_sorted(&[k]);
        let mut rows: Vec<_> = keys.into_iter().zip(labels).collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        rows.into_iter()
            .map(|(_, l)| l[0].1.clone().unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_eq!(sorted(0), vec!["", "-1", "2", "10"]);
    assert_eq!(sorted(1), vec!["false", "true"]);
    assert_eq!(sorted(2), vec!["1969-12-31", "1970-01-01", "2025-03-01"]);
    assert_eq!(sorted(3), vec!["0-12", "13-24", "25+", "x"]);
    // Chunks fold typed values into the same groups.
    let mut merged = g.fresh();
    assert_eq!(merged.absorb(&g), vec![0, 1, 2, 3]);
    assert_eq!(merged.project(&[0]), g.project(&[0]));
}

#[test]
fn skipped_rows_and_ungrouped_batches() {
    let cols = columns(vec![Some("N"), Some("S")], &[20_148, 20_149]);
    let mut g = Grouper::new(&[(0, "region".into())], None);
    let mut ids = Vec::new();
    g.assign(&cols, 2, &[true, false], &mut ids);
    assert_eq!(ids, vec![0, 0]);
    assert_eq!(g.num_groups(), 1);
    let mut none = Grouper::new(&[], None);
    none.assign(&cols, 2, &[], &mut ids);
    assert_eq!(ids, vec![0, 0]);
    assert_eq!(none.absorb(&none.fresh()), vec![0]);
}

#[test]
fn one_key_groups_follow_first_appearance() {
    // One key: groups are found through the dense vector of `GroupIndex::Single`.
    let ids = [
        "CUST-000002",
        "CUST-000001",
        "CUST-000002",
        "B",
        "CUST-000001",
    ];
    let cols: Vec<ArrayRef> = vec![Arc::new(StringArray::from(
        ids.iter().map(|s| Some(*s)).collect::<Vec<_>>(),
    ))];
    let mut g = Grouper::new(&[(0, "customer_id".into())], None);
    let mut out = Vec::new();
    g.assign(&cols, 5, &[false, false, false, true, false], &mut out);
    // The skipped row ("B") creates no group.
    assert_eq!(out, vec![0, 1, 0, 0, 1]);
    assert_eq!(g.group_count(), 2);
    assert!(matches!(g.index, GroupIndex::Single(_)));
    let (map, labels) = g.project(&[0]);
    assert_eq!(map, vec![0, 1]);
    assert_eq!(
        labels,
        vec![
            vec![(Name::from("customer_id"), Some("CUST-000002".to_string()))],
            vec![(Name::from("customer_id"), Some("CUST-000001".to_string()))],
        ]
    );
    assert_eq!(g.project(&[]), (vec![0, 0], vec![vec![]]));
    // A second chunk with one old and one new value folds in after them.
    let mut chunk = g.fresh();
    let second: Vec<ArrayRef> = vec![Arc::new(StringArray::from(vec![
        Some("CUST-000003"),
        None,
        Some("CUST-000001"),
    ]))];
    chunk.assign(&second, 3, &[], &mut out);
    assert_eq!(out, vec![0, 1, 2]);
    assert_eq!(g.absorb(&chunk), vec![2, 3, 1]);
    let (_, labels) = g.project(&[0]);
    let values: Vec<Option<String>> = labels.into_iter().map(|l| l[0].1.clone()).collect();
    assert_eq!(
        values,
        vec![
            Some("CUST-000002".to_string()),
            Some("CUST-000001".to_string()),
            Some("CUST-000003".to_string()),
            None
        ]
    );
}

#[test]
fn day_spans_give_the_same_periods_as_each_instant() {
    // Instants around local midnights (and month ends) in UTC, a fixed offset and a named
    // zone, with nulls and skipped rows: the span cache must give each row the period of
    // its own local day.
    let hour = 3_600_000_000i64;
    let day = 24 * hour;
    let base = 20_148 * day; // 2025-03-01T00:00Z
    let mut stamps = Vec::new();
    for d in [-2i64, -1, 0, 1, 30, 31] {
        for h in [-3i64, -2, -1, 0, 1, 2, 23] {
            stamps.push(Some(base + d * day + h * hour - 1));
            stamps.push(Some(base + d * day + h * hour));
            stamps.push(None);
        }
    }
    let rows = stamps.len();
    let ts: ArrayRef =
        Arc::new(TimestampMicrosecondArray::from(stamps.clone()).with_timezone("UTC"));
    let skip: Vec<bool> = (0..rows).map(|r| r % 11 == 5).collect();
    for zone in ["UTC", "+02:00", "-05:30", "Europe/Berlin"] {
        let zone = cxm_period::parse_zone(zone).unwrap();
        let rule = PeriodRule::new(cxm_period::Grain::Month, zone, 1).unwrap();
        let mut g = Grouper::new(&[], Some((0, rule)));
        let mut ids = Vec::new();
        g.assign(std::slice::from_ref(&ts), rows, &skip, &mut ids);
        let (_, labels) = g.project(&[0]);
        for (row, stamp) in stamps.iter().enumerate() {
            let want = stamp
                .and_then(|s| zone.local_days(s))
                .and_then(|d| rule.key_of_date(d))
                .and_then(|k| rule.label(k));
            if skip[row] {
                assert_eq!(ids[row], 0);
                continue;
            }
            assert_eq!(labels[ids[row] as usize][0].1, want, "{zone:?} row {row}");
        }
    }
}

#[test]
fn text_columns_intern_as_each_text() {
    // Short values in the middle of the buffer (one 8-byte load) and at its end (packed
    // byte by byte), long values, NULs, nulls and a sliced array: the same ids as
    // `Interner::text` on each value.
    let values = vec![
        Some("North"),
        Some(""),
        Some("a\0"),
        Some("Southwest"),
        None,
        Some("a"),
        Some("North"),
        Some("Central"),
        Some("a\0\0\0\0\0\0"),
        Some("ab"),
        Some("N"),
    ];
    let full = StringArray::from(values.clone());
    for offset in [0usize, 1, 3] {
        let sliced: ArrayRef = Arc::new(full.slice(offset, values.len() - offset));
        let rows = values.len() - offset;
        let mut g = Grouper::new(&[(0, "region".into())], None);
        let mut ids = Vec::new();
        g.assign(std::slice::from_ref(&sliced), rows, &[], &mut ids);
        let mut interner = Interner::default();
        let want: Vec<u32> = values[offset..]
            .iter()
            .map(|v| match v {
                Some(text) => interner.text(text),
                None => interner.null(),
            })
            .collect();
        assert_eq!(g.interners[0].values, interner.values, "offset {offset}");
        // One key: group ids follow the value ids' first appearance.
        let (_, labels) = g.project(&[0]);
        for (row, v) in values[offset..].iter().enumerate() {
            assert_eq!(labels[ids[row] as usize][0].1.as_deref(), *v, "row {row}");
        }
        assert_eq!(want.len(), rows);
    }
}

//! Derived fields: a field of a dataset computed from another field of the same dataset
//! (one mapped from a column) instead of read from a column of its own.
//!
//! ```toml
//! [datasets.customers.fields]
//! tenure = { column = "tenure", type = "integer" }
//! tenure_band = { from = "tenure", bands = [
//!     { label = "0–12", max = 12 }, { label = "13–24", max = 24 }, { label = "25+" } ] }
//! contract_score = { from = "Contract", map = { "Month-to-month" = 0, "One year" = 50, "Two year" = 100 } }
//! churned = { from = "Churn", map = { Yes = true, No = false } }
//! ```
//!
//! Bands: a number gets the label of the first band whose `max` it does not exceed (bounds
//! inclusive, rising); only the last band may leave `max` out, and takes every larger value.
//! Without an open-ended last band a value above every `max` is unreadable (`outside_bands`).
//! The result is text, and its segments sort in the declared band order.
//!
//! Maps: the text of the value (trimmed) is looked up among the keys; the result's type
//! follows the map's values (integer, number, boolean or string; integers and decimals
//! together make a number). A value not in the map takes `default`, or is unreadable
//! (`unmapped_value`). An empty value stays empty.

use crate::error::{ConfigError, Location};
use crate::raw::RawField;
use crate::validate::Ctx;

/// A derived field: the field it is computed from and how.
#[derive(Debug, Clone, PartialEq)]
pub struct DerivedField {
    /// The field (of the same dataset, mapped from a column) it is computed from.
    pub from: String,
    /// Where `from` is written.
    pub from_location: Location,
    /// How values are computed.
    pub rule: DerivedRule,
}

/// How a derived field's values are computed.
#[derive(Debug, Clone, PartialEq)]
pub enum DerivedRule {
    /// Numbers grouped into labelled bands, in declared (rising) order.
    Bands(Vec<Band>),
    /// Texts mapped onto values.
    Map(ValueMap),
}

/// One band: values up to `max` (inclusive); `None` for an open-ended last band.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// The segment label.
    pub label: String,
    /// Upper bound, inclusive.
    pub max: Option<f64>,
}

/// A value map and its default.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueMap {
    /// Source text → value, by key.
    pub entries: Vec<(String, MapValue)>,
    /// The value of texts not in the map (`None`: they are unreadable).
    pub default: Option<MapValue>,
}

/// A value of a map (all values of one map, and its default, have one type).
#[derive(Debug, Clone, PartialEq)]
pub enum MapValue {
    /// A whole number.
    Integer(i64),
    /// A number.
    Number(f64),
    /// `true` or `false`.
    Boolean(bool),
    /// A text.
    Text(String),
}

impl MapValue {
    /// The field type of the value (one of [`crate::FIELD_TYPES`]).
    pub fn type_name(&self) -> &'static str {
        match self {
            MapValue::Integer(_) => "integer",
            MapValue::Number(_) => "number",
            MapValue::Boolean(_) => "boolean",
            MapValue::Text(_) => "string",
        }
    }

    /// The value as a number, for integer and number values.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            MapValue::Integer(i) => Some(*i as f64),
            MapValue::Number(x) => Some(*x),
            _ => None,
        }
    }
}

impl DerivedField {
    /// The type of the computed values (one of [`crate::FIELD_TYPES`]).
    pub fn result_type(&self) -> &'static str {
        match &self.rule {
            DerivedRule::Bands(_) => "string",
            DerivedRule::Map(map) => map.result_type(),
        }
    }

    /// The labels of the bands in declared order (empty for a map): the natural order of
    /// the field's segments.
    pub fn band_labels(&self) -> Vec<String> {
        match &self.rule {
            DerivedRule::Bands(bands) => bands.iter().map(|b| b.label.clone()).collect(),
            DerivedRule::Map(_) => Vec::new(),
        }
    }
}

impl ValueMap {
    /// The type of the map's values.
    pub fn result_type(&self) -> &'static str {
        self.entries
            .first()
            .map(|(_, v)| v)
            .or(self.default.as_ref())
            .map_or("string", MapValue::type_name)
    }

    /// The value of a text (trimmed), the default when it is not in the map.
    pub fn get(&self, text: &str) -> Option<&MapValue> {
        let text = text.trim();
        self.entries
            .iter()
            .find(|(k, _)| k == text)
            .map(|(_, v)| v)
            .or(self.default.as_ref())
    }
}

/// The index of the band of `x`, `None` when it is above every band.
pub fn band_of(bands: &[Band], x: f64) -> Option<usize> {
    bands.iter().position(|b| b.max.is_none_or(|max| x <= max))
}

/// The derived rule of a field mapping, `None` for a mapping read from a column. Checks
/// the shape of the mapping and of its bands or map; `from` is checked against the
/// dataset's fields by the caller.
pub(crate) fn derived_field(
    ctx: &Ctx<'_>,
    name: &str,
    span: std::ops::Range<usize>,
    raw: &mut RawField,
) -> Result<Option<DerivedField>, ConfigError> {
    let Some(from) = raw.from.take() else {
        if raw.bands.is_some() || raw.map.is_some() || raw.default.is_some() {
            return Err(ctx.err(
                span,
                format!("field \"{name}\": bands, map and default need from = \"<field>\" (the field it is derived from)"),
            ));
        }
        if raw.column.is_none() {
            return Err(ctx.err(
                span,
                format!("field \"{name}\": missing column = \"<column header>\" (or from = \"<field>\" for a derived field)"),
            ));
        }
        return Ok(None);
    };
    if raw.column.is_some() || raw.ty.is_some() || raw.format.is_some() {
        return Err(ctx.err(
            span,
            format!("derived field \"{name}\" takes no column, type or format: it is computed from field \"{}\" and its type follows its bands or map", from.get_ref()),
        ));
    }
    let rule = match (raw.bands.take(), raw.map.take()) {
        (Some(_), Some(_)) => {
            return Err(ctx.err(
                span,
                format!("derived field \"{name}\": give bands or map, not both"),
            ))
        }
        (None, None) => {
            return Err(ctx.err(
                span,
                format!("derived field \"{name}\": add bands = [{{ label = \"…\", max = … }}, …] or map = {{ \"value\" = … }}"),
            ))
        }
        (Some(bands), None) => {
            if let Some(d) = &raw.default {
                return Err(ctx.err(
                    d.span(),
                    format!("derived field \"{name}\": default applies to a map, not to bands (an open-ended last band takes every larger value)"),
                ));
            }
            DerivedRule::Bands(check_bands(ctx, name, bands)?)
        }
        (None, Some(map)) => DerivedRule::Map(check_map(ctx, name, map, raw.default.take())?),
    };
    Ok(Some(DerivedField {
        from_location: ctx.loc(from.span()),
        from: from.into_inner(),
        rule,
    }))
}

fn check_bands(
    ctx: &Ctx<'_>,
    name: &str,
    bands: toml::Spanned<Vec<toml::Spanned<crate::raw::RawBand>>>,
) -> Result<Vec<Band>, ConfigError> {
    if bands.get_ref().is_empty() {
        return Err(ctx.err(
            bands.span(),
            format!("derived field \"{name}\": bands is empty; list at least one {{ label = \"…\", max = … }}"),
        ));
    }
    let count = bands.get_ref().len();
    let mut out: Vec<Band> = Vec::with_capacity(count);
    for (i, band) in bands.into_inner().into_iter().enumerate() {
        let span = band.span();
        let band = band.into_inner();
        if band.label.trim().is_empty() {
            return Err(ctx.err(
                span,
                format!(
                    "derived field \"{name}\": band {} has an empty label",
                    i + 1
                ),
            ));
        }
        if out.iter().any(|b| b.label == band.label) {
            return Err(ctx.err(
                span,
                format!(
                    "derived field \"{name}\": band label \"{}\" is used twice",
                    band.label
                ),
            ));
        }
        match band.max {
            None if i + 1 < count => {
                return Err(ctx.err(
                    span,
                    format!("derived field \"{name}\": band \"{}\" has no max; only the last band may be open-ended", band.label),
                ))
            }
            Some(max) if !max.is_finite() => {
                return Err(ctx.err(
                    span,
                    format!(
                        "derived field \"{name}\": band \"{}\" needs a finite max",
                        band.label
                    ),
                ))
            }
            Some(max) => {
                if let Some(prev) = out.last().and_then(|b| b.max).filter(|&p| p >= max) {
                    return Err(ctx.err(
                        span,
                        format!("derived field \"{name}\": band bounds must rise: band \"{}\" has max {max}, not above the previous band's {prev}", band.label),
                    ));
                }
            }
            None => {}
        }
        out.push(Band {
            label: band.label,
            max: band.max,
        });
    }
    Ok(out)
}

fn map_value(v: &toml::Value) -> Option<MapValue> {
    Some(match v {
        toml::Value::Integer(i) => MapValue::Integer(*i),
        toml::Value::Float(x) if x.is_finite() => MapValue::Number(*x),
        toml::Value::Boolean(b) => MapValue::Boolean(*b),
        toml::Value::String(s) => MapValue::Text(s.clone()),
        _ => return None,
    })
}

fn check_map(
    ctx: &Ctx<'_>,
    name: &str,
    map: toml::Spanned<toml::Table>,
    default: Option<toml::Spanned<toml::Value>>,
) -> Result<ValueMap, ConfigError> {
    if map.get_ref().is_empty() {
        return Err(ctx.err(
            map.span(),
            format!("derived field \"{name}\": map is empty; list \"value\" = result pairs"),
        ));
    }
    let mut entries = Vec::new();
    for (key, value) in map.get_ref() {
        let Some(v) = map_value(value) else {
            return Err(ctx.err(
                map.span(),
                format!("derived field \"{name}\": the value of \"{key}\" must be a number, true/false or a text"),
            ));
        };
        entries.push((key.clone(), v));
    }
    let default = match default {
        None => None,
        Some(d) => Some(map_value(d.get_ref()).ok_or_else(|| {
            ctx.err(
                d.span(),
                format!("derived field \"{name}\": default must be a number, true/false or a text"),
            )
        })?),
    };
    let mut types: Vec<&'static str> = entries.iter().map(|(_, v)| v.type_name()).collect();
    types.extend(default.iter().map(MapValue::type_name));
    types.sort_unstable();
    types.dedup();
    let widen = types == ["integer", "number"];
    if types.len() > 1 && !widen {
        return Err(ctx.err(
            map.span(),
            format!(
                "derived field \"{name}\": map values (and default) have mixed types ({}); use one type",
                types.join(", ")
            ),
        ));
    }
    let widened = |v: MapValue| match v {
        MapValue::Integer(i) if widen => MapValue::Number(i as f64),
        v => v,
    };
    Ok(ValueMap {
        entries: entries.into_iter().map(|(k, v)| (k, widened(v))).collect(),
        default: default.map(widened),
    })
}

/// Links each derived field of a dataset to the field it is derived from: that field must
/// be mapped from a column in the same dataset. A derived field takes the column of its
/// source (named in messages about it) and the type of its rule.
pub(crate) fn link_derived(
    ctx: &Ctx<'_>,
    dataset: &str,
    fields: &mut [crate::FieldConfig],
) -> Result<(), ConfigError> {
    for i in 0..fields.len() {
        let Some(d) = fields[i].derived.clone() else {
            continue;
        };
        let Some(source) = fields.iter().find(|f| f.name == d.from) else {
            let mapped: Vec<&str> = fields
                .iter()
                .filter(|f| f.derived.is_none())
                .map(|f| f.name.as_str())
                .collect();
            return Err(ConfigError::at(
                ctx.file,
                Some(d.from_location),
                format!(
                    "derived field \"{}\": unknown field \"{}\" in dataset \"{dataset}\" (fields read from columns or looked up: {})",
                    fields[i].name,
                    d.from,
                    mapped.join(", ")
                ),
            ));
        };
        if source.derived.is_some() {
            return Err(ConfigError::at(
                ctx.file,
                Some(d.from_location),
                format!(
                    "derived field \"{}\" is derived from derived field \"{}\"; derive it from a field mapped from a column",
                    fields[i].name, d.from
                ),
            ));
        }
        let column = source.column.clone();
        fields[i].column = column;
        fields[i].ty = Some(d.result_type().to_string());
    }
    Ok(())
}

/// Parses an `order` table (`{ region = ["North", "South"] }`): explicit segment orders of
/// group_by dimensions. Every named dimension must be one of `dimensions`.
pub(crate) fn parse_order(
    ctx: &Ctx<'_>,
    order: &toml::Spanned<std::collections::BTreeMap<String, Vec<String>>>,
    dimensions: &[String],
    whose: &str,
) -> Result<Vec<(String, Vec<String>)>, ConfigError> {
    let mut out = Vec::new();
    for (field, labels) in order.get_ref() {
        if !dimensions.contains(field) {
            return Err(ctx.err(
                order.span(),
                format!(
                    "{whose}: order names \"{field}\", which is not a group_by dimension ({})",
                    if dimensions.is_empty() {
                        "none".to_string()
                    } else {
                        dimensions.join(", ")
                    }
                ),
            ));
        }
        if let Some(dup) = labels
            .iter()
            .enumerate()
            .find(|(i, l)| labels[..*i].contains(l))
        {
            return Err(ctx.err(
                order.span(),
                format!("{whose}: order of \"{field}\" lists \"{}\" twice", dup.1),
            ));
        }
        out.push((field.clone(), labels.clone()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load_client;

    /// Loads a client config whose dataset has `fields` (TOML lines) and a metric reading
    /// field `a`; returns the config or its error text.
    fn load(fields: &str) -> Result<crate::ClientConfig, String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("plugins.toml"), "").unwrap();
        std::fs::write(dir.path().join("d.csv"), "A,T,C\n").unwrap();
        let config = format!(
            "client = \"x\"\nplugins = \"plugins.toml\"\n\n[datasets.d]\npath = \"d.csv\"\n\n[datasets.d.fields]\n{fields}\n\n[[metrics]]\nid = \"m\"\nplugin = \"basic/count\"\ndataset = \"d\"\n"
        );
        let path = dir.path().join("c.toml");
        std::fs::write(&path, config).unwrap();
        load_client(&path).map_err(|e| {
            let text = e.to_string();
            text[text.find("c.toml").unwrap()..].to_string()
        })
    }

    #[test]
    fn orders_apply_to_the_metrics_grouped_by_their_field() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("plugins.toml"), "").unwrap();
        std::fs::write(dir.path().join("d.csv"), "R,C\n").unwrap();
        let config = |order: &str| {
            format!(
                "client = \"x\"\nplugins = \"plugins.toml\"\n\n[datasets.d]\npath = \"d.csv\"\n\n[datasets.d.fields]\nregion = \"R\"\nchannel = \"C\"\n\n[[metrics]]\nid = \"a\"\nplugin = \"basic/count\"\ndataset = \"d\"\ngroup_by = [\"region\", \"channel\"]\norder = {{ channel = [\"web\"] }}\n\n[[metrics]]\nid = \"b\"\nplugin = \"basic/count\"\ndataset = \"d\"\ngroup_by = [\"channel\"]\n\n[report]\norder = {order}\n"
            )
        };
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            config("{ region = [\"South\", \"North\"], channel = [\"phone\"] }"),
        )
        .unwrap();
        let c = load_client(&path).unwrap();
        let order = |m: usize| c.metrics[m].order.clone();
        assert_eq!(
            order(0),
            vec![
                ("channel".to_string(), vec!["web".to_string()]),
                (
                    "region".to_string(),
                    vec!["South".to_string(), "North".to_string()]
                ),
            ]
        );
        assert_eq!(
            order(1),
            vec![("channel".to_string(), vec!["phone".to_string()])]
        );
        std::fs::write(&path, config("{ city = [\"Paris\"] }")).unwrap();
        let e = load_client(&path).unwrap_err().to_string();
        assert!(e.contains(":25:9: [report]: order names \"city\""), "{e}");
        std::fs::write(&path, config("{ region = [\"N\", \"N\"] }")).unwrap();
        let e = load_client(&path).unwrap_err().to_string();
        assert!(e.contains("lists \"N\" twice"), "{e}");
    }

    fn derived(config: &crate::ClientConfig, name: &str) -> DerivedField {
        config.datasets[0]
            .field(name)
            .and_then(|f| f.derived.clone())
            .expect("derived field")
    }

    #[test]
    fn bands_and_maps_are_read() {
        let c = load(concat!(
            "tenure = \"T\"\nContract = \"C\"\n",
            "band = { from = \"tenure\", bands = [{ label = \"0-12\", max = 12 }, { label = \"13-24\", max = 24.5 }, { label = \"25+\" }] }\n",
            "score = { from = \"Contract\", map = { \"Month-to-month\" = 0, \"One year\" = 50, \"Two year\" = 100 } }\n",
            "churned = { from = \"Contract\", map = { Yes = true, No = false }, default = false }\n",
            "mixed_numbers = { from = \"Contract\", map = { a = 1, b = 2.5 } }\n",
        ))
        .unwrap();
        let band = derived(&c, "band");
        assert_eq!(band.from, "tenure");
        assert_eq!(band.result_type(), "string");
        assert_eq!(band.band_labels(), vec!["0-12", "13-24", "25+"]);
        let DerivedRule::Bands(bands) = &band.rule else {
            panic!()
        };
        assert_eq!(band_of(bands, -3.0), Some(0));
        assert_eq!(band_of(bands, 12.0), Some(0));
        assert_eq!(band_of(bands, 12.5), Some(1));
        assert_eq!(band_of(bands, 1e9), Some(2));
        assert_eq!(band_of(&bands[..2], 30.0), None);
        let field = c.datasets[0].field("band").unwrap();
        assert_eq!(field.ty.as_deref(), Some("string"));
        assert_eq!(field.column, "T");
        assert_eq!(derived(&c, "score").result_type(), "integer");
        let churned = derived(&c, "churned");
        assert_eq!(churned.result_type(), "boolean");
        let DerivedRule::Map(map) = &churned.rule else {
            panic!()
        };
        assert_eq!(map.get(" Yes "), Some(&MapValue::Boolean(true)));
        assert_eq!(map.get("Maybe"), Some(&MapValue::Boolean(false)));
        assert_eq!(derived(&c, "mixed_numbers").result_type(), "number");
    }

    #[test]
    fn mistakes_are_located() {
        let cases = [
            (
                "t = \"T\"\nb = { from = \"tenur\", bands = [{ label = \"x\" }] }",
                "c.toml:9:14:",
                "unknown field \"tenur\"",
            ),
            (
                "t = \"T\"\nb = { from = \"t\", bands = [{ label = \"a\", max = 5 }, { label = \"b\", max = 5 }, { label = \"c\" }] }",
                "c.toml:9:54:",
                "bounds must rise",
            ),
            (
                "t = \"T\"\nb = { from = \"t\", bands = [{ label = \"a\" }, { label = \"b\", max = 5 }] }",
                "c.toml:9:28:",
                "only the last band may be open-ended",
            ),
            (
                "t = \"T\"\nm = { from = \"t\", map = {} }",
                "c.toml:9:25:",
                "map is empty",
            ),
            (
                "t = \"T\"\nm = { from = \"t\", map = { a = 1, b = \"x\" } }",
                "c.toml:9:25:",
                "mixed types (integer, string)",
            ),
            (
                "t = \"T\"\nm = { from = \"t\", map = { a = 1 }, default = true }",
                "c.toml:9:25:",
                "mixed types (boolean, integer)",
            ),
            (
                "t = \"T\"\nm = { from = \"t\", column = \"T\", map = { a = 1 } }",
                "c.toml:9:5:",
                "takes no column",
            ),
            (
                "t = \"T\"\nm = { from = \"t\", map = { a = 1 } }\nn = { from = \"m\", map = { \"1\" = 2 } }",
                "c.toml:10:14:",
                "derived from derived field \"m\"",
            ),
            (
                "t = \"T\"\nb = { from = \"t\", bands = [{ label = \"x\" }], default = \"y\" }",
                "c.toml:9:56:",
                "default applies to a map",
            ),
        ];
        for (fields, at, message) in cases {
            let e = load(fields).expect_err(fields);
            assert!(e.starts_with(at), "{fields}: {e}");
            assert!(e.contains(message), "{fields}: {e}");
        }
    }
}

//! The trait a plugin author implements, and the small types that describe a metric's
//! inputs, params and rejection reasons.

use crate::columns::Row;
use cxm_result::MetricResult;
use serde::de::DeserializeOwned;

/// A metric as a mergeable accumulator.
///
/// The SDK keeps one `State` per group and calls [`Metric::update`] for every row that the
/// host has not already rejected and whose required inputs are present (a row with an empty
/// required input is rejected as `empty` before `update` sees it). Everything a metric
/// computes must be derivable from merged states, so totals are recomputed from counts.
pub trait Metric: Sized + Send + 'static {
    /// The metric's name, unique within the library; configs refer to it.
    const NAME: &'static str;
    /// One sentence for `cxm plugins`.
    const DESCRIPTION: &'static str;
    /// Declared inputs, in the order [`Row`] accessors address them (`row.int(0)` is the
    /// first).
    const INPUTS: &'static [Input];
    /// Documentation of the params, for `cxm plugins`.
    const PARAMS: &'static [Param] = &[];
    /// The metric's own rejection reasons, used as [`Reject::Own`].
    const REASONS: &'static [&'static str] = &[];

    /// The params, deserialised from the config's `params` table (give it
    /// `#[serde(default, deny_unknown_fields)]` so typos are caught at bind).
    type Params: DeserializeOwned;
    /// The accumulator of one group.
    type State: Default + Send;

    /// Validates params against the mapped inputs; the error message is shown to the user
    /// with the config location of the params.
    fn bind(params: Self::Params, inputs: &BoundInputs) -> Result<Self, String>;
    /// Folds one row into its group's state, or rejects it with a reason.
    ///
    /// The SDK calls it once per row from a loop compiled into the plugin, so mark it
    /// `#[inline]` (and the helpers it calls): a plugin's own functions are otherwise called
    /// through its shared library's symbol table, which measured +20% on NPS's update loop.
    /// Building the plugin with `codegen-units = 1` in its release profile lets the
    /// compiler see the whole loop at once (see `plugins/nps/examples/boundary.rs`).
    fn update(&self, state: &mut Self::State, row: &Row<'_>) -> Result<(), Reject>;
    /// Folds `from` into `into`. Both were produced by instances bound with the same params.
    fn merge(&self, into: &mut Self::State, from: &Self::State);
    /// The result of one group. Must handle the empty state (n = 0).
    fn finish(&self, state: &Self::State) -> MetricResult;
}

/// Why a row was not used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reject {
    /// A needed value is empty.
    Empty,
    /// A value is not a number.
    NotANumber,
    /// A value is outside the metric's scale.
    OutOfScale,
    /// A value is not valid for another reason.
    InvalidValue,
    /// A duration came out negative.
    NegativeDuration,
    /// One of the metric's own [`Metric::REASONS`], by name.
    Own(&'static str),
}

/// The type of an input column, as the metric reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputType {
    /// 64-bit integer; read with [`Row::int`].
    Integer,
    /// 64-bit float (integer fields are converted by the host); read with [`Row::number`].
    Number,
    /// UTF-8 text; read with [`Row::text`].
    Text,
    /// Boolean; read with [`Row::boolean`].
    Boolean,
    /// Calendar date (days since 1970-01-01); read with [`Row::date`].
    Date,
    /// Instant (microseconds since the Unix epoch, UTC); read with [`Row::timestamp`].
    Timestamp,
}

impl InputType {
    /// The Arrow C Data Interface format string of this type.
    pub const fn arrow_format(self) -> &'static str {
        match self {
            InputType::Integer => "l",
            InputType::Number => "g",
            InputType::Text => "u",
            InputType::Boolean => "b",
            InputType::Date => "tdD",
            InputType::Timestamp => "tsu:UTC",
        }
    }
}

/// One declared input.
#[derive(Clone, Copy, Debug)]
pub struct Input {
    /// Name used in the config's `inputs` table.
    pub name: &'static str,
    /// Type the metric reads.
    pub ty: InputType,
    /// Whether the config must map it.
    pub required: bool,
    /// One sentence for `cxm plugins`.
    pub description: &'static str,
}

impl Input {
    /// A required input.
    pub const fn required(name: &'static str, ty: InputType, description: &'static str) -> Self {
        Input {
            name,
            ty,
            required: true,
            description,
        }
    }

    /// An optional input.
    pub const fn optional(name: &'static str, ty: InputType, description: &'static str) -> Self {
        Input {
            name,
            ty,
            required: false,
            description,
        }
    }
}

impl Input {
    /// Any number of further inputs of type `ty`, named by the config (declare it last).
    /// [`BoundInputs::extra`] lists their names; a row reads extra input `k` at index
    /// `INPUTS.len() + k`.
    pub const fn variadic(ty: InputType, description: &'static str) -> Self {
        Input {
            name: cxm_abi::VARIADIC_INPUT,
            ty,
            required: false,
            description,
        }
    }
}

/// Documentation of one param.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    /// Key in the config's `params` table.
    pub name: &'static str,
    /// Type in words (`[int, int]`, `number`, `"wald" | "adjusted_wald"`).
    pub ty: &'static str,
    /// Default, as TOML text.
    pub default: &'static str,
    /// What it does.
    pub description: &'static str,
}

impl Param {
    /// Describes a param.
    pub const fn new(
        name: &'static str,
        ty: &'static str,
        default: &'static str,
        description: &'static str,
    ) -> Self {
        Param {
            name,
            ty,
            default,
            description,
        }
    }
}

/// Which declared inputs the config mapped, as seen by [`Metric::bind`].
#[derive(Debug)]
pub struct BoundInputs {
    pub(crate) mapped: Vec<bool>,
    pub(crate) extra: Vec<String>,
}

impl BoundInputs {
    /// Whether the declared input with this index is mapped to a field.
    pub fn is_mapped(&self, input: usize) -> bool {
        self.mapped.get(input).copied().unwrap_or(false)
    }

    /// Names of the extra inputs a variadic declaration accepted, in bound order; extra
    /// input `k` is read at row index `INPUTS.len() + k`.
    pub fn extra(&self) -> &[String] {
        &self.extra
    }
}

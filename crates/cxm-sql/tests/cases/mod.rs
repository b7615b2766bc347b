//! Shapes covering the catalog's inputs (NPS/CSAT/CES scores, support timings, churn dates,
//! revenue, booleans, QA scores), shared by the golden and execution tests.

#![allow(dead_code)]

use cxm_period::Grain;
use cxm_sql::{
    CmpOp, Condition, Filter, Input, Literal, PeriodSpec, Real, Shape, Source, ValueType, ZoneSpec,
};

pub fn period(column: &str, ty: ValueType, grain: Grain, zone: &str, fy: u32) -> PeriodSpec {
    PeriodSpec {
        column: column.into(),
        column_type: ty,
        grain,
        zone: ZoneSpec::parse(zone).expect("zone"),
        fiscal_year_start: fy,
    }
}

pub fn filter(column: &str, condition: Condition) -> Filter {
    Filter {
        column: column.into(),
        condition,
    }
}

pub fn text(s: &str) -> Literal {
    Literal::Text(s.into())
}

pub fn num(x: f64) -> Literal {
    Literal::Number(Real::new(x).expect("finite"))
}

/// `(case name, shape)`.
pub fn catalog() -> Vec<(&'static str, Shape)> {
    let mut out = Vec::new();

    // Demo: NPS by region and quarter (nps plugin: score integer).
    let mut s = Shape::table("survey");
    s.group_keys.push("region".into());
    s.period = Some(period(
        "submitted_at",
        ValueType::Datetime,
        Grain::Quarter,
        "UTC",
        1,
    ));
    s.inputs.push(Input::new(
        "score",
        "Likelihood to recommend",
        ValueType::Integer,
    ));
    out.push(("nps_region_quarter", s));

    // Demo: CSAT in store, fiscal quarters from April in Berlin (csat: score integer).
    let mut s = Shape::table("analytics.survey");
    s.period = Some(period(
        "submitted_at",
        ValueType::Datetime,
        Grain::Quarter,
        "Europe/Berlin",
        4,
    ));
    s.inputs
        .push(Input::new("score", "Satisfaction", ValueType::Integer));
    s.filters
        .push(filter("channel", Condition::In(vec![text("in-store")])));
    out.push(("csat_fiscal_berlin", s));

    // CES by ISO week, rows already carrying a multiplicity (ces: score integer).
    let mut s = Shape::table("survey_rollup");
    s.group_keys.push("channel".into());
    s.period = Some(period("day", ValueType::Date, Grain::Week, "UTC", 1));
    s.inputs
        .push(Input::new("score", "Ease", ValueType::Integer));
    s.weight = Some("responses".into());
    out.push(("ces_week_weighted", s));

    // Support timings (first_response_time: created_at, first_response_at datetimes), by
    // channel and month in a fixed offset.
    let mut s = Shape::table("tickets");
    s.group_keys.push("Channel".into());
    s.period = Some(period(
        "Created",
        ValueType::Datetime,
        Grain::Month,
        "+05:30",
        1,
    ));
    s.inputs
        .push(Input::new("created_at", "Created", ValueType::Datetime));
    s.inputs.push(Input::new(
        "first_response_at",
        "First Response",
        ValueType::Datetime,
    ));
    out.push(("support_first_response", s));

    // Wait time in minutes, quantized (wait_time: wait number), in a date range.
    let mut s = Shape::table("calls");
    s.inputs.push(
        Input::new("wait", "wait_minutes", ValueType::Number)
            .quantized(0.01)
            .expect("alpha"),
    );
    s.filters.push(filter(
        "wait_minutes",
        Condition::Compare(CmpOp::Ge, num(0.0)),
    ));
    s.filters.push(filter(
        "queued_on",
        Condition::Compare(CmpOp::Lt, Literal::Date("2025-07-01".into())),
    ));
    out.push(("wait_quantized", s));

    // Retention/churn (start_date, end_date dates, customer_id text) by plan and fiscal
    // year from July.
    let mut s = Shape::table("customers");
    s.group_keys.push("plan".into());
    s.period = Some(period(
        "Signup Date",
        ValueType::Date,
        Grain::Year,
        "UTC",
        7,
    ));
    s.inputs
        .push(Input::new("start_date", "Signup Date", ValueType::Date));
    s.inputs
        .push(Input::new("end_date", "Churn Date", ValueType::Date));
    s.inputs
        .push(Input::new("customer_id", "Customer ID", ValueType::String));
    out.push(("churn_dates", s));

    // Conversion (converted boolean) and referral source, excluding test traffic.
    let mut s = Shape::table("sessions");
    s.inputs
        .push(Input::new("converted", "converted", ValueType::Boolean));
    s.inputs
        .push(Input::new("source", "utm_source", ValueType::String));
    s.filters.push(filter(
        "utm_source",
        Condition::NotIn(vec![text("test"), text("qa's")]),
    ));
    s.filters
        .push(filter("is_bot", Condition::In(vec![Literal::Bool(false)])));
    out.push(("conversion_boolean", s));

    // CLV revenue (customer_id, order_date, amount quantized) by day.
    let mut s = Shape::table("orders");
    s.period = Some(period("order_date", ValueType::Date, Grain::Day, "UTC", 1));
    s.inputs
        .push(Input::new("customer_id", "customer_id", ValueType::String));
    s.inputs
        .push(Input::new("order_date", "order_date", ValueType::Date));
    s.inputs.push(
        Input::new("amount", "amount", ValueType::Number)
            .quantized(0.005)
            .expect("alpha"),
    );
    out.push(("clv_revenue_daily", s));

    // IQS (review_id, criterion text, score number) by agent, some criteria.
    let mut s = Shape::table("qa_reviews");
    s.group_keys.push("Agent".into());
    s.inputs
        .push(Input::new("review_id", "Review", ValueType::String));
    s.inputs
        .push(Input::new("criterion", "Criterion", ValueType::String));
    s.inputs
        .push(Input::new("score", "Score", ValueType::Number));
    s.filters.push(filter(
        "Criterion",
        Condition::In(vec![text("greeting"), text("accuracy"), text("compliance")]),
    ));
    s.filters
        .push(filter("Score", Condition::Compare(CmpOp::Le, num(4.0))));
    out.push(("iqs_by_agent", s));

    // A subquery source and awkward names (quotes, spaces) by year in New York.
    let mut s = Shape::table("unused");
    s.source = Source::Query("SELECT * FROM raw_events WHERE kind = 'survey'".into());
    s.group_keys.push("team \"a\"".into());
    s.group_keys.push("odd name's".into());
    s.period = Some(period(
        "ts",
        ValueType::Datetime,
        Grain::Year,
        "America/New_York",
        1,
    ));
    s.inputs
        .push(Input::new("nps", "score", ValueType::Integer));
    out.push(("awkward_names_subquery", s));

    out
}

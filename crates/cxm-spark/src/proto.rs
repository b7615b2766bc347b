//! The Spark Connect messages cxm sends and reads, declared by hand with prost's derive: a
//! subset of `spark/connect/base.proto` and `relations.proto` (package `spark.connect`,
//! Spark 3.4 to 4.x), with the field numbers of those files. Fields cxm does not read are
//! left out: protobuf decoding skips unknown fields, so the server's other responses
//! (metrics, schema, progress) pass through unread. A `oneof` with the one member cxm uses
//! is declared as that optional field, which has the same encoding.

/// `spark.connect.ExecutePlanRequest`: run a plan in a session.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ExecutePlanRequest {
    /// The client's session id, a UUID string (the server refuses any other form).
    #[prost(string, tag = "1")]
    pub session_id: String,
    /// Who runs the plan.
    #[prost(message, optional, tag = "2")]
    pub user_context: Option<UserContext>,
    /// What to run.
    #[prost(message, optional, tag = "3")]
    pub plan: Option<Plan>,
    /// The client's name, for the server's logs.
    #[prost(string, optional, tag = "4")]
    pub client_type: Option<String>,
}

/// `spark.connect.UserContext`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct UserContext {
    /// The user id sessions are keyed by.
    #[prost(string, tag = "1")]
    pub user_id: String,
    /// The user's name.
    #[prost(string, tag = "2")]
    pub user_name: String,
}

/// `spark.connect.Plan`, whose `op_type` is `root` (a relation) here.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Plan {
    /// The relation whose rows the server returns.
    #[prost(message, optional, tag = "1")]
    pub root: Option<Relation>,
}

/// `spark.connect.Relation`, whose `rel_type` is `sql` here.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Relation {
    /// A SQL query.
    #[prost(message, optional, tag = "10")]
    pub sql: Option<Sql>,
}

/// `spark.connect.SQL`: a query in Spark SQL, without parameters.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Sql {
    /// The query text.
    #[prost(string, tag = "1")]
    pub query: String,
}

/// `spark.connect.ExecutePlanResponse`: one message of the result stream.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ExecutePlanResponse {
    /// The session the response belongs to.
    #[prost(string, tag = "1")]
    pub session_id: String,
    /// Rows, when this response carries some.
    #[prost(message, optional, tag = "2")]
    pub arrow_batch: Option<ArrowBatch>,
    /// Present on the last response of a complete result.
    #[prost(message, optional, tag = "14")]
    pub result_complete: Option<ResultComplete>,
}

/// `spark.connect.ExecutePlanResponse.ArrowBatch`: rows as an Arrow IPC stream.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ArrowBatch {
    /// How many rows `data` holds.
    #[prost(int64, tag = "1")]
    pub row_count: i64,
    /// An Arrow IPC stream: the schema, then record batches.
    #[prost(bytes = "vec", tag = "2")]
    pub data: Vec<u8>,
}

/// `spark.connect.ExecutePlanResponse.ResultComplete` (no fields).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ResultComplete {}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    /// The request's bytes, field by field, as protobuf encodes them (tag = field << 3 |
    /// wire type 2 for strings and messages): what the server decodes with Spark's own
    /// generated classes.
    #[test]
    fn a_sql_plan_is_encoded_with_sparks_field_numbers() {
        let request = ExecutePlanRequest {
            session_id: "s".into(),
            user_context: Some(UserContext {
                user_id: "u".into(),
                user_name: String::new(),
            }),
            plan: Some(Plan {
                root: Some(Relation {
                    sql: Some(Sql {
                        query: "SELECT 1".into(),
                    }),
                }),
            }),
            client_type: Some("cxm".into()),
        };
        let bytes = request.encode_to_vec();
        let expected: Vec<u8> = [
            &[0x0a, 1, b's'][..],        // 1: session_id
            &[0x12, 3, 0x0a, 1, b'u'],   // 2: user_context { 1: user_id }
            &[0x1a, 14, 0x0a, 12, 0x52], // 3: plan { 1: root { 10: sql
            &[10, 0x0a, 8],              //   { 1: query
            b"SELECT 1",
            &[0x22, 3], // 4: client_type
            b"cxm",
        ]
        .concat();
        assert_eq!(bytes, expected);
    }

    #[test]
    fn unknown_response_fields_are_skipped() {
        // 1: session_id "s", 4: metrics {…} (not declared here), 2: arrow_batch { 1: 3 }.
        let bytes = [0x0a, 1, b's', 0x22, 2, 0x0a, 0, 0x12, 2, 0x08, 3];
        let response = ExecutePlanResponse::decode(&bytes[..]).unwrap();
        assert_eq!(response.session_id, "s");
        assert_eq!(response.arrow_batch.unwrap().row_count, 3);
        assert!(response.result_complete.is_none());
    }
}

//! Runs SQL statements on a Spark Connect server and prints, for each, the rows and Arrow
//! bytes it returned and the seconds it took: the benchmark (`bench/spark.sh`) times
//! Spark's own `GROUP BY` with it and loads its tables.
//!
//!     cargo run --release -p cxm-spark --example spark-sql -- sc://127.0.0.1:15002 "SELECT 1"

use arrow_array::RecordBatch;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(remote) = args.next() else {
        eprintln!("usage: spark-sql sc://host:port SQL…");
        std::process::exit(2);
    };
    let remote = match cxm_spark::Remote::parse(&remote) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let mut session = match cxm_spark::Session::connect(&remote) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    for sql in args {
        let start = Instant::now();
        let (mut rows, mut bytes) = (0usize, 0usize);
        let result = session.sql(&sql).and_then(|reader| {
            for batch in reader {
                let batch: RecordBatch = batch?;
                rows += batch.num_rows();
                bytes += batch.get_array_memory_size();
            }
            Ok(())
        });
        if let Err(e) = result {
            eprintln!("{e}");
            std::process::exit(1);
        }
        println!(
            "{rows} rows, {bytes} bytes in Arrow arrays, {:.3} s",
            start.elapsed().as_secs_f64()
        );
    }
}

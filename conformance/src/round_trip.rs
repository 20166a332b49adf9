//! The write half of conformance: a decoded response, serialized again, must say what the
//! example said. Exercises every generated `Serialize` the examples reach, and checks it against
//! the generated `Deserialize` (the two are written by the generator, not derived; issue 7).

use serde_json::Value;

/// Compare what the client wrote (`written`) with the example it decoded (`original`): every key
/// it writes is in the example with an equal value (numbers by value, timestamps by instant),
/// and arrays keep their length. Keys it leaves out are the example's unknown fields and the
/// nulls of optional fields, which it skips. A `null` it writes for a key the example lacks is
/// the same value (an absent nullable field decodes as `None`, and a required one is written
/// back as `null`, as the spec wants). Returns the JSON path of the first difference.
pub fn compare(original: &Value, written: &Value) -> Result<(), (String, String)> {
    compare_at(original, written, &mut String::new())
}

fn compare_at(
    original: &Value,
    written: &Value,
    path: &mut String,
) -> Result<(), (String, String)> {
    let differ = |path: &str, why: String| Err((display(path), why));
    match (original, written) {
        (Value::Object(o), Value::Object(w)) => {
            for (key, value) in w {
                let len = path.len();
                path.push('.');
                path.push_str(key);
                match o.get(key) {
                    Some(orig) => compare_at(orig, value, path)?,
                    None if value.is_null() => {}
                    None => {
                        return differ(path, format!("written but not in the example: {value}"))
                    }
                }
                path.truncate(len);
            }
            Ok(())
        }
        (Value::Array(o), Value::Array(w)) => {
            if o.len() != w.len() {
                return differ(
                    path,
                    format!("{} items in the example, {} written", o.len(), w.len()),
                );
            }
            for (i, (orig, value)) in o.iter().zip(w).enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                compare_at(orig, value, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        (Value::Number(o), Value::Number(w)) if o.as_f64() == w.as_f64() => Ok(()),
        (Value::String(o), Value::String(w)) if o == w || same_instant(o, w) => Ok(()),
        (o, w) if o == w => Ok(()),
        (o, w) => differ(path, format!("the example has {o}, the client wrote {w}")),
    }
}

/// Two RFC 3339 timestamps for the same instant (`+00:00` is written back as `Z`).
fn same_instant(a: &str, b: &str) -> bool {
    match (
        chrono::DateTime::parse_from_rfc3339(a),
        chrono::DateTime::parse_from_rfc3339(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn display(path: &str) -> String {
    if path.is_empty() {
        ".".to_string()
    } else {
        path.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::compare;
    use serde_json::json;

    #[test]
    fn skipped_and_unknown_keys_pass_but_changed_or_invented_ones_do_not() {
        let example =
            json!({"a": 1, "b": null, "extra": "x", "t": "2024-01-01T00:00:00+00:00", "l": [1.0]});
        assert!(compare(
            &example,
            &json!({"a": 1.0, "t": "2024-01-01T00:00:00Z", "l": [1]})
        )
        .is_ok());
        let (path, why) = compare(&example, &json!({"a": 2})).unwrap_err();
        assert_eq!(path, ".a");
        assert!(why.contains("the example has 1"), "{why}");
        assert_eq!(
            compare(&example, &json!({"renamed": 1})).unwrap_err().0,
            ".renamed"
        );
        // A nullable field the example left out comes back as `null`: the same value.
        assert!(compare(&example, &json!({"absent_nullable": null})).is_ok());
        assert_eq!(compare(&example, &json!({"l": []})).unwrap_err().0, ".l");
        assert_eq!(
            compare(&example, &json!({"l": ["1"]})).unwrap_err().0,
            ".l[0]"
        );
    }
}

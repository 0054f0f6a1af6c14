//! Result rows, read by column name. A value the program cannot take as
//! asked — a missing column, NULL where none is allowed, another type, an
//! integer out of range, an unparsable date or an unknown code — is a
//! [`StoreError::Data`] naming the column (and, through [`FromRow`], the
//! table), never a silent 0, "" or 1970-01-01.

use crate::db::{Result, StoreError, Value};
use chrono::NaiveDate;
use std::sync::Arc;

/// One result row: the statement's column names and this row's values.
#[derive(Debug, Clone)]
pub struct Row {
    columns: Arc<[String]>,
    values: Vec<Value>,
}

impl Row {
    pub(crate) fn new(columns: Arc<[String]>, values: Vec<Value>) -> Row {
        Row { columns, values }
    }

    /// The values in column order, as stored: for copying whole tables
    /// (backups), where no column has a meaning of its own.
    pub(crate) fn into_values(self) -> Vec<Value> {
        self.values
    }

    fn value(&self, column: &str) -> Result<&Value> {
        // A join may select a name twice (`h.year`, `m.year`); its
        // conditions make both equal, so the first is the one read.
        self.columns
            .iter()
            .position(|c| c == column)
            .map(|i| &self.values[i])
            .ok_or_else(|| data(column, "is not in the result".into()))
    }

    /// The column's value as `T`; `Option<T>` for a nullable column.
    pub fn get<T: FromValue>(&self, column: &str) -> Result<T> {
        let v = self.value(column)?;
        T::from_value(v).ok_or_else(|| match v {
            Value::Null => data(column, "is NULL".into()),
            other => data(column, format!("holds {other:?}, not {}", T::KIND)),
        })
    }

    /// The column's stored code turned into its type by `parse`; a code
    /// `parse` does not know is an error, never a default.
    pub fn decode<S: FromValue, T>(
        &self,
        column: &str,
        parse: impl FnOnce(S) -> Option<T>,
    ) -> Result<T> {
        match parse(self.get(column)?) {
            Some(t) => Ok(t),
            None => Err(self.unknown_code(column)),
        }
    }

    /// [`Row::decode`] for a nullable column: NULL is `None`.
    pub fn decode_opt<S: FromValue, T>(
        &self,
        column: &str,
        parse: impl FnOnce(S) -> Option<T>,
    ) -> Result<Option<T>> {
        match self.get::<Option<S>>(column)? {
            None => Ok(None),
            Some(code) => parse(code)
                .map(Some)
                .ok_or_else(|| self.unknown_code(column)),
        }
    }

    fn unknown_code(&self, column: &str) -> StoreError {
        match self.value(column) {
            Ok(v) => data(column, format!("holds the unknown code {v:?}")),
            Err(e) => e,
        }
    }

    /// The only column of a one-column result (`COUNT(*)`, `RETURNING id`),
    /// whose name differs between the backends.
    pub fn single<T: FromValue>(&self) -> Result<T> {
        match &self.columns[..] {
            [name] => self.get(name),
            _ => Err(StoreError::Data(format!(
                "a single column was expected, the result has {}",
                self.columns.len()
            ))),
        }
    }

    /// The row as `T`, with the table named in any error.
    pub fn to<T: FromRow>(&self) -> Result<T> {
        T::from_row(self).map_err(|e| match e {
            StoreError::Data(m) => StoreError::Data(format!("{}: {m}", T::TABLE)),
            other => other,
        })
    }
}

fn data(column: &str, what: String) -> StoreError {
    StoreError::Data(format!("column {column} {what}"))
}

/// The one mapping of a table (or read model) from its rows.
pub trait FromRow: Sized {
    /// Named in errors.
    const TABLE: &'static str;
    fn from_row(r: &Row) -> Result<Self>;
}

/// A Rust type a stored value is read as. The backends' representation
/// differences are absorbed here (SQLite booleans are integers, PostgreSQL
/// integers come in several widths); anything else is refused.
pub trait FromValue: Sized {
    /// What was expected, for the error.
    const KIND: &'static str;
    /// `None` when the value is not one of this type (or NULL).
    fn from_value(v: &Value) -> Option<Self>;
}

impl FromValue for i64 {
    const KIND: &'static str = "an integer";
    fn from_value(v: &Value) -> Option<i64> {
        match v {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
}

/// Narrower integers: a stored value out of their range is refused.
macro_rules! narrow_int {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            const KIND: &'static str = concat!("an integer that fits ", stringify!($t));
            fn from_value(v: &Value) -> Option<$t> {
                i64::from_value(v).and_then(|i| <$t>::try_from(i).ok())
            }
        }
    )*};
}
narrow_int!(i32, u8, u16, u32);

impl FromValue for f64 {
    const KIND: &'static str = "a number";
    fn from_value(v: &Value) -> Option<f64> {
        match v {
            Value::Real(f) => Some(*f),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }
}

impl FromValue for bool {
    const KIND: &'static str = "a boolean (or 0/1)";
    fn from_value(v: &Value) -> Option<bool> {
        match v {
            Value::Bool(b) => Some(*b),
            Value::Int(0) => Some(false),
            Value::Int(1) => Some(true),
            _ => None,
        }
    }
}

impl FromValue for String {
    const KIND: &'static str = "text";
    fn from_value(v: &Value) -> Option<String> {
        match v {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}

impl FromValue for Vec<u8> {
    const KIND: &'static str = "bytes";
    fn from_value(v: &Value) -> Option<Vec<u8>> {
        match v {
            Value::Blob(b) => Some(b.clone()),
            _ => None,
        }
    }
}

impl FromValue for NaiveDate {
    const KIND: &'static str = "a date YYYY-MM-DD";
    fn from_value(v: &Value) -> Option<NaiveDate> {
        match v {
            Value::Text(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    const KIND: &'static str = T::KIND;
    fn from_value(v: &Value) -> Option<Option<T>> {
        match v {
            Value::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pairs: &[(&str, Value)]) -> Row {
        Row::new(
            pairs.iter().map(|(c, _)| c.to_string()).collect(),
            pairs.iter().map(|(_, v)| v.clone()).collect(),
        )
    }

    fn message(e: StoreError) -> String {
        match e {
            StoreError::Data(m) => m,
            other => panic!("not a data error: {other:?}"),
        }
    }

    #[test]
    fn reads_by_name_and_tolerates_only_backend_differences() {
        let r = row(&[
            ("id", Value::Int(7)),
            ("active", Value::Int(1)),
            ("flag", Value::Bool(false)),
            ("note", Value::Null),
            ("day", Value::Text("2024-02-29".into())),
        ]);
        assert_eq!(r.get::<i64>("id").unwrap(), 7);
        assert_eq!(r.get::<u8>("id").unwrap(), 7);
        assert!(r.get::<bool>("active").unwrap());
        assert!(!r.get::<bool>("flag").unwrap());
        assert_eq!(r.get::<Option<String>>("note").unwrap(), None);
        assert_eq!(
            r.get::<NaiveDate>("day").unwrap(),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
    }

    #[test]
    fn bad_data_is_an_error_naming_the_column() {
        let r = row(&[
            ("id", Value::Int(300)),
            ("name", Value::Null),
            ("day", Value::Text("2024-02-30".into())),
            ("active", Value::Int(2)),
            ("count", Value::Text("12".into())),
        ]);
        assert!(message(r.get::<u8>("id").unwrap_err()).contains("column id"));
        assert!(message(r.get::<String>("name").unwrap_err()).contains("name is NULL"));
        assert!(message(r.get::<NaiveDate>("day").unwrap_err()).contains("column day"));
        assert!(message(r.get::<bool>("active").unwrap_err()).contains("column active"));
        assert!(message(r.get::<i64>("count").unwrap_err()).contains("column count"));
        assert!(message(r.get::<i64>("gone").unwrap_err()).contains("gone is not in the result"));
    }

    #[test]
    fn an_unknown_code_is_an_error_not_a_default() {
        let r = row(&[
            ("status", Value::Text("archived?".into())),
            ("kind", Value::Null),
        ]);
        let known = |s: String| (s == "draft").then_some(1);
        let e = message(r.decode("status", known).unwrap_err());
        assert!(e.contains("status") && e.contains("archived?"), "{e}");
        assert_eq!(r.decode_opt("kind", known).unwrap(), None);
    }

    struct Plan;
    impl FromRow for Plan {
        const TABLE: &'static str = "plans";
        fn from_row(r: &Row) -> Result<Plan> {
            r.get::<String>("status").map(|_| Plan)
        }
    }

    #[test]
    fn a_mapping_names_its_table() {
        let e = message(
            row(&[("status", Value::Int(1))])
                .to::<Plan>()
                .err()
                .unwrap(),
        );
        assert!(e.starts_with("plans: column status"), "{e}");
    }

    #[test]
    fn single_reads_the_one_column_whatever_its_name() {
        assert_eq!(row(&[("count", Value::Int(3))]).single::<i64>().unwrap(), 3);
        let two = row(&[("a", Value::Int(1)), ("b", Value::Int(2))]);
        assert!(two.single::<i64>().is_err());
    }
}

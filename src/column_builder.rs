//! How the event columns are built for one batch: every builder starts at the size the last
//! batch of the same thread reached (so a chunk's rows are appended without regrowing and
//! copying the buffers), and an optional text column that stays empty — the User-Agent, device,
//! reason and filter group of a Squid native log — costs nothing per row until its first value.

use std::cell::RefCell;

use arrow::array::{ArrowPrimitiveType, PrimitiveArray, PrimitiveBuilder, StringArray, StringBuilder};
use arrow::datatypes::DataType;

/// A builder for one event column, made with room for a batch.
pub trait ColumnBuilder {
    /// The array it finishes into.
    type Array;

    /// A builder with room for `rows` values holding `value_bytes` of text, for a column of
    /// `data_type`.
    fn sized(rows: usize, value_bytes: usize, data_type: DataType) -> Self;

    /// Bytes of text appended so far (0 for a column of numbers).
    fn value_bytes(&self) -> usize;

    /// Finishes the column.
    fn finish(&mut self) -> Self::Array;
}

impl<T: ArrowPrimitiveType> ColumnBuilder for PrimitiveBuilder<T> {
    type Array = PrimitiveArray<T>;

    fn sized(rows: usize, _value_bytes: usize, data_type: DataType) -> Self {
        PrimitiveBuilder::with_capacity(rows).with_data_type(data_type)
    }

    fn value_bytes(&self) -> usize {
        0
    }

    fn finish(&mut self) -> PrimitiveArray<T> {
        PrimitiveBuilder::finish(self)
    }
}

impl ColumnBuilder for StringBuilder {
    type Array = StringArray;

    fn sized(rows: usize, value_bytes: usize, _data_type: DataType) -> Self {
        StringBuilder::with_capacity(rows, value_bytes)
    }

    fn value_bytes(&self) -> usize {
        self.values_slice().len()
    }

    fn finish(&mut self) -> StringArray {
        StringBuilder::finish(self)
    }
}

/// A nullable text column that counts its leading nulls instead of appending them, and starts
/// a real builder (with the nulls so far) at its first value.
pub struct OptionalText {
    leading_nulls: usize,
    values: Option<StringBuilder>,
    rows: usize,
    value_bytes: usize,
}

impl OptionalText {
    /// Appends a value or a null.
    pub fn append_option(&mut self, value: Option<&str>) {
        match (&mut self.values, value) {
            (Some(builder), value) => builder.append_option(value),
            (None, None) => self.leading_nulls += 1,
            (None, Some(value)) => {
                let mut builder = StringBuilder::with_capacity(self.rows.max(self.leading_nulls + 1), self.value_bytes);
                builder.append_nulls(self.leading_nulls);
                builder.append_value(value);
                self.values = Some(builder);
            }
        }
    }
}

impl ColumnBuilder for OptionalText {
    type Array = StringArray;

    fn sized(rows: usize, value_bytes: usize, _data_type: DataType) -> Self {
        OptionalText { leading_nulls: 0, values: None, rows, value_bytes }
    }

    fn value_bytes(&self) -> usize {
        self.values.as_ref().map_or(0, ColumnBuilder::value_bytes)
    }

    fn finish(&mut self) -> StringArray {
        match self.values.take() {
            Some(mut builder) => builder.finish(),
            None => StringArray::new_null(std::mem::take(&mut self.leading_nulls)),
        }
    }
}

/// The size one thread's batches reached: rows, and the text bytes of each column.
#[derive(Debug, Clone, Default)]
pub struct BatchSize {
    /// Rows in the batch.
    pub rows: usize,
    /// Text bytes per column, in column order (0 for numbers).
    pub value_bytes: Vec<usize>,
}

thread_local! {
    static LAST_BATCH: RefCell<BatchSize> = RefCell::default();
}

/// The size to give this thread's next batch: what its batches reached lately.
pub fn expected_batch_size() -> BatchSize {
    LAST_BATCH.with(|last| last.borrow().clone())
}

/// Remembers a finished batch's size for this thread's next one. A smaller batch (the last rows
/// of a day) lowers the expectation only by an eighth, so one short batch does not leave the
/// next full one to regrow.
pub fn remember_batch_size(batch: &BatchSize) {
    LAST_BATCH.with(|last| {
        let mut last = last.borrow_mut();
        let decayed = |old: usize, new: usize| new.max(old - old / 8);
        last.rows = decayed(last.rows, batch.rows);
        last.value_bytes.resize(batch.value_bytes.len(), 0);
        for (old, new) in last.value_bytes.iter_mut().zip(&batch.value_bytes) {
            *old = decayed(*old, *new);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::Array;

    #[test]
    fn an_optional_column_keeps_every_null_before_and_after_its_first_value() {
        let mut column = OptionalText::sized(4, 16, DataType::Utf8);
        for value in [None, None, Some("Mozilla/5.0"), None, Some("curl/8.5")] {
            column.append_option(value);
        }
        let array = column.finish();
        let read: Vec<Option<&str>> = array.iter().collect();
        assert_eq!(read, [None, None, Some("Mozilla/5.0"), None, Some("curl/8.5")]);
    }

    #[test]
    fn an_optional_column_with_no_value_is_all_nulls_of_the_right_length() {
        let mut column = OptionalText::sized(4, 16, DataType::Utf8);
        for _ in 0..3 {
            column.append_option(None);
        }
        let array = column.finish();
        assert_eq!((array.len(), array.null_count()), (3, 3));
    }

    #[test]
    fn a_short_batch_lowers_the_next_batchs_size_only_a_little() {
        std::thread::spawn(|| {
            remember_batch_size(&BatchSize { rows: 32_000, value_bytes: vec![0, 1_000_000] });
            remember_batch_size(&BatchSize { rows: 10, value_bytes: vec![0, 300] });
            let next = expected_batch_size();
            assert_eq!((next.rows, next.value_bytes[1]), (28_000, 875_000));
        })
        .join()
        .unwrap();
    }
}

//! Customers from a service's own types: any `serde::Serialize` value whose field names are
//! metric, state and pin names (and `id`), set field by field with the checks of
//! [`CustomerBuilder::set`].
//!
//! Each field's value is turned into an [`InputValue`] without going through text where it
//! is typed: integers stay integers, strings (which is how `rust_decimal` and `chrono`
//! serialise decimals and dates) are parsed exactly, `Option::None` and `()` are absent, a
//! unit enum variant is its name (for enum metrics). A float is refused, since it is not
//! exact; so is a nested struct, map or sequence.

use std::fmt;

use serde::ser::{self, Impossible, Serialize, SerializeMap, SerializeStruct};

use super::customer::{CustomerBuilder, InputValue};
use crate::error::{InputError, InputErrorKind, InputErrors};
use crate::input::Customer;
use crate::model::Compiled;

/// Why a value cannot be serialised into a customer (internal).
#[derive(Debug)]
pub(crate) struct Refused(String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

impl ser::Error for Refused {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Refused(msg.to_string())
    }
}

/// Builds a customer of `p` from a serialisable value.
pub(crate) fn customer<T: Serialize + ?Sized>(
    p: &Compiled,
    value: &T,
) -> Result<Customer, InputErrors> {
    let mut record = Record {
        fields: Vec::new(),
        key: None,
    };
    if let Err(e) = value.serialize(&mut record) {
        return Err(InputErrors::new(vec![InputError::new(
            "",
            "",
            InputErrorKind::InvalidValue,
            format!("the value is not a record of fields: {e}"),
        )]));
    }
    let id = record
        .fields
        .iter()
        .find(|(k, _)| k == "id")
        .and_then(|(_, v)| match v {
            Ok(Some(InputValue::Text(t))) => Some(t.trim().to_owned()),
            Ok(Some(InputValue::Integer(i))) => Some(i.to_string()),
            _ => None,
        })
        .unwrap_or_default();
    let mut b = CustomerBuilder::new(p, &id);
    let mut errors = Vec::new();
    for (name, value) in record.fields {
        if name == "id" {
            continue;
        }
        match value {
            Ok(Some(v)) => b = b.set(&name, v),
            Ok(None) => {}
            Err(message) => {
                errors.push(InputError::new(
                    id.clone(),
                    name,
                    InputErrorKind::InvalidValue,
                    message,
                ));
            }
        }
    }
    if id.is_empty() {
        errors.push(InputError::new(
            "",
            "id",
            InputErrorKind::Missing,
            "the record has no `id` field (a string or a whole number)",
        ));
    }
    match b.build() {
        Ok(c) if errors.is_empty() => Ok(c),
        Ok(_) => Err(InputErrors::new(errors)),
        Err(e) => {
            // a refused field is not "missing" as well
            let refused: Vec<String> = errors.iter().map(|e| e.field().to_owned()).collect();
            errors.extend(
                e.errors()
                    .iter()
                    .filter(|x| {
                        !(x.kind() == InputErrorKind::Missing
                            && refused.iter().any(|r| r == x.field()))
                    })
                    .cloned(),
            );
            Err(InputErrors::new(errors))
        }
    }
}

/// The fields of the top-level record, each value or why it is refused.
struct Record {
    fields: Vec<(String, Result<Option<InputValue>, String>)>,
    /// A map's key, between `serialize_key` and `serialize_value`.
    key: Option<String>,
}

fn field<T: Serialize + ?Sized>(value: &T) -> Result<Option<InputValue>, String> {
    value.serialize(FieldValue).map_err(|e| e.0)
}

impl SerializeStruct for &mut Record {
    type Ok = ();
    type Error = Refused;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Refused> {
        self.fields.push((key.to_owned(), field(value)));
        Ok(())
    }
    fn end(self) -> Result<(), Refused> {
        Ok(())
    }
}

impl SerializeMap for &mut Record {
    type Ok = ();
    type Error = Refused;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Refused> {
        match field(key) {
            Ok(Some(InputValue::Text(k))) => {
                self.key = Some(k);
                Ok(())
            }
            _ => Err(Refused("a map key that is not a string".to_owned())),
        }
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Refused> {
        let key = self.key.take().unwrap_or_default();
        self.fields.push((key, field(value)));
        Ok(())
    }
    fn end(self) -> Result<(), Refused> {
        Ok(())
    }
}

fn not_a_record<T>(what: &str) -> Result<T, Refused> {
    Err(Refused(format!("{what} is not a struct or a map")))
}

impl<'a> ser::Serializer for &'a mut Record {
    type Ok = ();
    type Error = Refused;
    type SerializeSeq = Impossible<(), Refused>;
    type SerializeTuple = Impossible<(), Refused>;
    type SerializeTupleStruct = Impossible<(), Refused>;
    type SerializeTupleVariant = Impossible<(), Refused>;
    type SerializeMap = &'a mut Record;
    type SerializeStruct = &'a mut Record;
    type SerializeStructVariant = Impossible<(), Refused>;

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Refused> {
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, Refused> {
        Ok(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), Refused> {
        v.serialize(self)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Refused> {
        v.serialize(self)
    }
    fn serialize_bool(self, _: bool) -> Result<(), Refused> {
        not_a_record("a boolean")
    }
    fn serialize_i8(self, _: i8) -> Result<(), Refused> {
        not_a_record("a number")
    }
    fn serialize_i16(self, _: i16) -> Result<(), Refused> {
        not_a_record("a number")
    }
    fn serialize_i32(self, _: i32) -> Result<(), Refused> {
        not_a_record("a number")
    }
    fn serialize_i64(self, _: i64) -> Result<(), Refused> {
        not_a_record("a number")
    }
    fn serialize_u8(self, _: u8) -> Result<(), Refused> {
        not_a_record("a number")
    }
    fn serialize_u16(self, _: u16) -> Result<(), Refused> {
        not_a_record("a number")
    }
    fn serialize_u32(self, _: u32) -> Result<(), Refused> {
        not_a_record("a number")
    }
    fn serialize_u64(self, _: u64) -> Result<(), Refused> {
        not_a_record("a number")
    }
    fn serialize_f32(self, _: f32) -> Result<(), Refused> {
        not_a_record("a number")
    }
    fn serialize_f64(self, _: f64) -> Result<(), Refused> {
        not_a_record("a number")
    }
    fn serialize_char(self, _: char) -> Result<(), Refused> {
        not_a_record("a character")
    }
    fn serialize_str(self, _: &str) -> Result<(), Refused> {
        not_a_record("a string")
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Refused> {
        not_a_record("bytes")
    }
    fn serialize_none(self) -> Result<(), Refused> {
        not_a_record("nothing")
    }
    fn serialize_unit(self) -> Result<(), Refused> {
        not_a_record("nothing")
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Refused> {
        not_a_record("a unit struct")
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<(), Refused> {
        not_a_record("an enum")
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Refused> {
        not_a_record("an enum")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Refused> {
        not_a_record("a sequence")
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Refused> {
        not_a_record("a tuple")
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Refused> {
        not_a_record("a tuple")
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Refused> {
        not_a_record("an enum")
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Refused> {
        not_a_record("an enum")
    }
}

/// One field's value.
struct FieldValue;

fn nested<T>(what: &str) -> Result<T, Refused> {
    Err(Refused(format!(
        "{what} is not a value (expected a string, a whole number, a boolean or nothing)"
    )))
}

fn float<T>() -> Result<T, Refused> {
    Err(Refused(
        "a float is not exact: give a decimal (`rust_decimal::Decimal`) or the number as a string"
            .to_owned(),
    ))
}

impl ser::Serializer for FieldValue {
    type Ok = Option<InputValue>;
    type Error = Refused;
    type SerializeSeq = Impossible<Option<InputValue>, Refused>;
    type SerializeTuple = Impossible<Option<InputValue>, Refused>;
    type SerializeTupleStruct = Impossible<Option<InputValue>, Refused>;
    type SerializeTupleVariant = Impossible<Option<InputValue>, Refused>;
    type SerializeMap = Impossible<Option<InputValue>, Refused>;
    type SerializeStruct = Impossible<Option<InputValue>, Refused>;
    type SerializeStructVariant = Impossible<Option<InputValue>, Refused>;

    fn serialize_bool(self, v: bool) -> Result<Self::Ok, Refused> {
        Ok(Some(InputValue::Bool(v)))
    }
    fn serialize_i8(self, v: i8) -> Result<Self::Ok, Refused> {
        Ok(Some(InputValue::Integer(i64::from(v))))
    }
    fn serialize_i16(self, v: i16) -> Result<Self::Ok, Refused> {
        Ok(Some(InputValue::Integer(i64::from(v))))
    }
    fn serialize_i32(self, v: i32) -> Result<Self::Ok, Refused> {
        Ok(Some(InputValue::Integer(i64::from(v))))
    }
    fn serialize_i64(self, v: i64) -> Result<Self::Ok, Refused> {
        Ok(Some(InputValue::Integer(v)))
    }
    fn serialize_i128(self, v: i128) -> Result<Self::Ok, Refused> {
        Ok(Some(InputValue::Number(v.to_string())))
    }
    fn serialize_u8(self, v: u8) -> Result<Self::Ok, Refused> {
        Ok(Some(InputValue::Integer(i64::from(v))))
    }
    fn serialize_u16(self, v: u16) -> Result<Self::Ok, Refused> {
        Ok(Some(InputValue::Integer(i64::from(v))))
    }
    fn serialize_u32(self, v: u32) -> Result<Self::Ok, Refused> {
        Ok(Some(InputValue::Integer(i64::from(v))))
    }
    fn serialize_u64(self, v: u64) -> Result<Self::Ok, Refused> {
        Ok(Some(match i64::try_from(v) {
            Ok(i) => InputValue::Integer(i),
            Err(_) => InputValue::Number(v.to_string()),
        }))
    }
    fn serialize_u128(self, v: u128) -> Result<Self::Ok, Refused> {
        Ok(Some(InputValue::Number(v.to_string())))
    }
    fn serialize_f32(self, _: f32) -> Result<Self::Ok, Refused> {
        float()
    }
    fn serialize_f64(self, _: f64) -> Result<Self::Ok, Refused> {
        float()
    }
    fn serialize_char(self, v: char) -> Result<Self::Ok, Refused> {
        Ok(Some(InputValue::Text(v.to_string())))
    }
    fn serialize_str(self, v: &str) -> Result<Self::Ok, Refused> {
        Ok(Some(InputValue::Text(v.to_owned())))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Self::Ok, Refused> {
        nested("bytes")
    }
    fn serialize_none(self) -> Result<Self::Ok, Refused> {
        Ok(None)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<Self::Ok, Refused> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<Self::Ok, Refused> {
        Ok(None)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Self::Ok, Refused> {
        Ok(None)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Self::Ok, Refused> {
        Ok(Some(InputValue::Text(variant.to_owned())))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<Self::Ok, Refused> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Self::Ok, Refused> {
        nested("an enum with data")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Refused> {
        nested("a sequence")
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Refused> {
        nested("a tuple")
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Refused> {
        nested("a tuple")
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Refused> {
        nested("an enum with data")
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Refused> {
        nested("a map")
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Refused> {
        nested("a struct")
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Refused> {
        nested("an enum with data")
    }
}

//! A serde `Deserializer` that makes up a value of any generated type: every string is a unique
//! marker (`«17»`), every option is `Some`, every list has one element, every struct has every
//! field. It remembers which field each marker went into, so a test can look for the markers in
//! the value's `Debug` and tell which fields printed their content.
//!
//! Strings that must parse (timestamps, dates, UUIDs) fail with a marker; the driver then tries
//! the next candidate text at that path, until the type decodes.

use std::cell::RefCell;
use std::collections::HashMap;

use serde::de::value::Error;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};

/// Texts tried at a path, in order: the marker first, then what parsing types accept.
const CANDIDATES: &[&str] = &[
    "",
    "2021-02-03T04:05:06Z",
    "2021-02-03",
    "04:05:06",
    "00000000-0000-4000-8000-000000000000",
];

/// Deeper than this, options are `None` and lists are empty (recursive types end).
const MAX_DEPTH: usize = 12;

/// A marker, the path of the value it was put in, and the nearest field name.
#[derive(Debug, Clone)]
pub struct Marker {
    pub text: String,
    pub path: String,
    pub field: String,
}

/// A made-up value of a type, shown with `Debug`, with the markers it was built from.
pub struct Built {
    pub shown: String,
    pub markers: Vec<Marker>,
}

/// Make up a `T` and show it, or say why it could not be made.
pub fn build<T: DeserializeOwned + std::fmt::Debug>() -> Result<Built, String> {
    let mut plan: HashMap<String, usize> = HashMap::new();
    for _ in 0..256 {
        let run = Run {
            plan: &plan,
            markers: RefCell::new(Vec::new()),
            failed: RefCell::new(None),
        };
        let root = Synth {
            run: &run,
            path: String::new(),
            field: String::new(),
            depth: 0,
        };
        match T::deserialize(root) {
            Ok(value) => {
                return Ok(Built {
                    shown: format!("{value:?}"),
                    markers: run.markers.into_inner(),
                })
            }
            Err(e) => {
                let Some(path) = run.failed.into_inner() else {
                    return Err(e.to_string());
                };
                let next = plan.entry(path.clone()).or_insert(0);
                *next += 1;
                if *next >= CANDIDATES.len() {
                    return Err(format!("at {path}: {e}"));
                }
            }
        }
    }
    Err("too many attempts".to_string())
}

struct Run<'p> {
    plan: &'p HashMap<String, usize>,
    markers: RefCell<Vec<Marker>>,
    /// The path of the first string a visitor refused.
    failed: RefCell<Option<String>>,
}

struct Synth<'r, 'p> {
    run: &'r Run<'p>,
    path: String,
    field: String,
    depth: usize,
}

impl<'r, 'p> Synth<'r, 'p> {
    fn child(&self, segment: &str, field: Option<&str>) -> Self {
        Synth {
            run: self.run,
            path: format!("{}{segment}", self.path),
            field: field.unwrap_or(&self.field).to_string(),
            depth: self.depth + 1,
        }
    }

    /// The text for this path: a fresh marker, or the candidate the plan chose.
    fn text(&self) -> String {
        match self.run.plan.get(&self.path).copied().unwrap_or(0) {
            0 => {
                let mut markers = self.run.markers.borrow_mut();
                let text = format!("\u{ab}{}\u{bb}", markers.len());
                markers.push(Marker {
                    text: text.clone(),
                    path: self.path.clone(),
                    field: self.field.clone(),
                });
                text
            }
            i => CANDIDATES[i].to_string(),
        }
    }

    fn note_failure<T>(&self, result: Result<T, Error>) -> Result<T, Error> {
        if result.is_err() {
            let mut failed = self.run.failed.borrow_mut();
            if failed.is_none() {
                *failed = Some(self.path.clone());
            }
        }
        result
    }
}

macro_rules! numbers {
    ($($method:ident => $visit:ident($($value:expr)?)),* $(,)?) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            visitor.$visit($($value)?)
        })*
    };
}

impl<'de> de::Deserializer<'de> for Synth<'_, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_string(visitor)
    }

    numbers! {
        deserialize_bool => visit_bool(true),
        deserialize_i8 => visit_i64(1),
        deserialize_i16 => visit_i64(1),
        deserialize_i32 => visit_i64(1),
        deserialize_i64 => visit_i64(1),
        deserialize_u8 => visit_u64(1),
        deserialize_u16 => visit_u64(1),
        deserialize_u32 => visit_u64(1),
        deserialize_u64 => visit_u64(1),
        deserialize_f32 => visit_f64(1.5),
        deserialize_f64 => visit_f64(1.5),
        deserialize_char => visit_char('c'),
        deserialize_unit => visit_unit(),
        deserialize_ignored_any => visit_unit(),
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_string(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let text = self.text();
        let result = visitor.visit_string(text);
        self.note_failure(result)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_bytes(b"bytes")
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_bytes(b"bytes")
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.depth > MAX_DEPTH {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let len = usize::from(self.depth <= MAX_DEPTH);
        visitor.visit_seq(Items {
            parent: self,
            next: 0,
            len,
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(Items {
            parent: self,
            next: 0,
            len,
        })
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_tuple(len, visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let keys: &'static [&'static str] = if self.depth <= MAX_DEPTH {
            &["key"]
        } else {
            &[]
        };
        visitor.visit_map(Fields {
            parent: self,
            keys,
            next: 0,
            named: false,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_map(Fields {
            parent: self,
            keys: fields,
            next: 0,
            named: true,
        })
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let first: &str = variants.first().copied().unwrap_or_default();
        visitor.visit_enum(first.into_deserializer())
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_str("")
    }
}

struct Items<'r, 'p> {
    parent: Synth<'r, 'p>,
    next: usize,
    len: usize,
}

impl<'de> de::SeqAccess<'de> for Items<'_, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if self.next >= self.len {
            return Ok(None);
        }
        let child = self.parent.child(&format!("[{}]", self.next), None);
        self.next += 1;
        seed.deserialize(child).map(Some)
    }
}

struct Fields<'r, 'p> {
    parent: Synth<'r, 'p>,
    keys: &'static [&'static str],
    next: usize,
    /// Struct fields name the values under them; map keys do not.
    named: bool,
}

impl<'de> de::MapAccess<'de> for Fields<'_, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.keys.get(self.next) {
            Some(key) => seed.deserialize((*key).into_deserializer()).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let key = self.keys[self.next];
        self.next += 1;
        let child = self
            .parent
            .child(&format!(".{key}"), self.named.then_some(key));
        seed.deserialize(child)
    }
}

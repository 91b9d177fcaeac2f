//! States stored as words (in SQLite and JSON, where the window and `--json` read them) but
//! handled as enums, so a misspelt state is a compile error rather than a silent mismatch.

/// `text_enum! { /// doc  pub enum Name { Variant => "word", … } }` defines the enum with
/// `as_str`, `FromStr`, `Display`, serde as the word, rusqlite `ToSql`/`FromSql` as text,
/// and comparison with a `&str` (`status == "paid"` reads as it always did).
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $word:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::Error;
            fn from_str(s: &str) -> $crate::Result<$name> {
                match s {
                    $($word => Ok($name::$variant),)+
                    _ => Err($crate::Error::invalid(
                        "value",
                        format!(
                            "'{s}' is not one of: {}",
                            [$($word,)+].join(", ")
                        ),
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }

        // The window's TypeScript type: the words, "paid" | "refunded" | ….
        #[cfg(feature = "bindings")]
        impl specta::Type for $name {
            fn definition(_: &mut specta::Types) -> specta::datatype::DataType {
                let mut words = specta::datatype::Enum::default();
                $(words.variants.push(($word.into(), specta::datatype::Variant::unit()));)+
                words.into()
            }
        }

        impl rusqlite::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.as_str().into())
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(
                v: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<$name> {
                v.as_str()?
                    .parse()
                    .map_err(|e: $crate::Error| rusqlite::types::FromSqlError::Other(e.into()))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::text_enum! {
        /// A test.
        pub enum Light {
            Red => "red",
            Green => "green",
        }
    }

    #[test]
    fn words_round_trip_through_sql_json_and_text() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let back: Light = conn
            .query_row("SELECT ?1", [Light::Green], |r| r.get(0))
            .unwrap();
        assert_eq!(back, Light::Green);
        assert!(conn
            .query_row("SELECT 'blue'", [], |r| r.get::<_, Light>(0))
            .is_err());
        assert_eq!(serde_json::to_string(&Light::Red).unwrap(), "\"red\"");
        assert_eq!(
            serde_json::from_str::<Light>("\"green\"").unwrap(),
            Light::Green
        );
        assert!(serde_json::from_str::<Light>("\"blue\"").is_err());
        assert_eq!(Light::Red, "red");
        assert!("amber".parse::<Light>().is_err());
        assert_eq!(Light::ALL.len(), 2);
        // Display honours width, as the CLI's tables need.
        assert_eq!(format!("[{:<6}]", Light::Red), "[red   ]");
    }
}

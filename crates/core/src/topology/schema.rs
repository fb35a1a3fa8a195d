//! The macro that turns one list of a settings table's fields into everything that goes over
//! them, and the rule by which a value given twice (a file, then flags over it) is combined.

use crate::algorithms::{HashAlg, KeyType};
use crate::platform::{Product, WindowsServer};

/// Defines a settings table from one list of its fields, each written once with its doc and
/// type:
///
/// - the struct (every field public, `Option`al, read from TOML with unknown fields refused);
/// - `$FIELDS`, the field names in order, for "did you mean";
/// - [`Overlay`], field by field (for `Topology`, its `overlay` method).
///
/// `Topology` is given as `pub struct Topology in FIELDS { … }`, and a field whose value is
/// traced to where it came from says so after its type with `=> KIND(Field)`: the
/// [`Field`](crate::Field) that names it and its kind, `name` (one FQDN), `names` (a list of
/// FQDNs, each item traced) or `setting` (another value). From those the macro also makes
/// `origins` (skipped by serde, and left out of `PartialEq`), `Located` (the same fields read a
/// second time with their spans), `TRACED`, and the loops over the traced fields
/// (`Located::record`, `Topology::traced_set`, `Topology::each_name`).
macro_rules! settings {
    (
        $(#[$meta:meta])*
        pub struct Topology in $FIELDS:ident {
            $(
                $(#[$fmeta:meta])*
                pub $field:ident: $ty:ty $(=> $kind:ident($variant:ident))?,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct Topology {
            $( $(#[$fmeta])* pub $field: $ty, )*
            /// Where each value came from (file lines, flags), for messages. Not part of the
            /// value: two topologies with the same settings are equal wherever they came from
            /// (see `Topology`'s `PartialEq`).
            #[serde(skip)]
            pub origins: Origins,
        }

        /// Two topologies are equal when their settings are, wherever the values came from:
        /// `origins` is left out on purpose (a file and the same flags give the same topology,
        /// and [`Topology::is_empty`] compares with the default). `Origins` has its own,
        /// real, equality.
        impl PartialEq for Topology {
            fn eq(&self, other: &Topology) -> bool {
                true $( && self.$field == other.$field )*
            }
        }

        impl Eq for Topology {}

        /// Every field of a topology file, for "did you mean".
        const $FIELDS: &[&str] = &[$( stringify!($field) ),*];

        /// The fields whose values are traced to where they came from, with the [`Field`] that
        /// names each.
        #[cfg(test)]
        const TRACED: &[(&str, Field)] = &[$($( (stringify!($field), Field::$variant), )?)*];

        /// The traced fields of a topology file, read a second time with their spans (once the
        /// file is known to be valid): one span for a value, one per item for a list of names.
        #[derive(serde::Deserialize)]
        struct Located {
            $($( $field: settings!(@located $kind), )?)*
        }

        impl Located {
            /// Records the origin of each value found, `at` turning a span into its origin.
            fn record(&self, origins: &mut Origins, at: impl Fn(std::ops::Range<usize>) -> Origin) {
                $($( settings!(@record $kind, Field::$variant, &self.$field, origins, at); )?)*
            }
        }

        impl Topology {
            /// Returns this topology with every field that `over` sets replaced by `over`'s
            /// value (flags over a file). List fields are replaced whole, not appended.
            pub fn overlay(self, over: Topology) -> Topology {
                let origins = self.origins.overlay(&over.origins, &over.traced_set());
                Topology {
                    $( $field: Overlay::overlay(self.$field, over.$field), )*
                    origins,
                }
            }

            /// The traced fields this topology sets.
            fn traced_set(&self) -> Vec<Field> {
                let mut set = Vec::new();
                $($(
                    if self.$field.is_some() {
                        set.push(Field::$variant);
                    }
                )?)*
                set
            }

            /// Calls `f` with each name this topology sets, field by field in the struct's
            /// order: its field, its index in a list, the name as written.
            fn each_name(&self, mut f: impl FnMut(Field, Option<usize>, &str)) {
                $($( settings!(@name $kind, Field::$variant, &self.$field, f); )?)*
            }
        }
    };

    (
        $(#[$meta:meta])*
        pub struct $name:ident in $FIELDS:ident {
            $(
                $(#[$fmeta:meta])*
                pub $field:ident: $ty:ty,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        /// Every field of the table, for "did you mean".
        const $FIELDS: &[&str] = &[$( stringify!($field) ),*];

        impl Overlay for $name {
            fn overlay(self, over: $name) -> $name {
                $name {
                    $( $field: Overlay::overlay(self.$field, over.$field), )*
                }
            }
        }
    };

    (@located name) => { Option<toml::Spanned<toml::Value>> };
    (@located setting) => { Option<toml::Spanned<toml::Value>> };
    (@located names) => { Option<Vec<toml::Spanned<toml::Value>>> };

    (@record names, $variant:expr, $value:expr, $origins:ident, $at:ident) => {
        for (i, v) in $value.iter().flatten().enumerate() {
            $origins.set($variant, Some(i), $at(v.span()));
        }
    };
    (@record $kind:ident, $variant:expr, $value:expr, $origins:ident, $at:ident) => {
        if let Some(v) = $value {
            $origins.set($variant, None, $at(v.span()));
        }
    };

    (@name name, $variant:expr, $value:expr, $f:ident) => {
        if let Some(v) = $value {
            $f($variant, None, v);
        }
    };
    (@name names, $variant:expr, $value:expr, $f:ident) => {
        for (i, v) in $value.iter().flatten().enumerate() {
            $f($variant, Some(i), v);
        }
    };
    (@name setting, $variant:expr, $value:expr, $f:ident) => {};
}

/// How a value given twice (a file's, then the flags' over it) is combined: the value over
/// wins, except in a table of settings, which is combined field by field (the fields `over`
/// leaves unset keep this one's). A list is replaced whole, not appended to.
pub(crate) trait Overlay: Sized {
    /// This value with `over` over it.
    fn overlay(self, over: Self) -> Self {
        over
    }
}

impl<T: Overlay> Overlay for Option<T> {
    fn overlay(self, over: Option<T>) -> Option<T> {
        match (self, over) {
            (Some(a), Some(b)) => Some(a.overlay(b)),
            (a, b) => b.or(a),
        }
    }
}

impl Overlay for String {}
impl Overlay for bool {}
impl<T> Overlay for Vec<T> {}
impl Overlay for KeyType {}
impl Overlay for HashAlg {}
impl Overlay for WindowsServer {}
impl Overlay for Product {}

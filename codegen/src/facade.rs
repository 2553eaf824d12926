//! What each generated client adds to the `tapis` crate's facade: its
//! module, its field and initialiser in a struct of clients, and its
//! accessors (on `Tapis` and `tapis::blocking::Tapis` for the services,
//! on `tapis::extra::Clients` for the specs of `TAPIS_EXTRA_SPECS`).

use std::fmt::Write as _;

/// The facade code of a set of generated clients, added one by one.
#[derive(Default)]
pub struct Clients {
    /// The modules (declarations or re-exports).
    pub modules: String,
    /// One field per client.
    pub fields: String,
    /// The fields' initialisers, given `base_url`, `http` and `shared`.
    pub inits: String,
    /// One accessor per client.
    pub accessors: String,
    /// The same accessors on `tapis::blocking::Tapis`.
    pub blocking_accessors: String,
}

impl Clients {
    /// Adds the client of module `module`, declared by `declaration` (the
    /// module's items, after `doc`); `owner` is the path from the accessor's
    /// `self` to the struct holding the field.
    pub fn add(
        &mut self,
        module: &str,
        declaration: &str,
        doc: &str,
        accessor_doc: &str,
        owner: &str,
    ) -> std::fmt::Result {
        writeln!(self.modules, "/// {doc}\n{declaration}")?;
        writeln!(self.fields, "    pub(crate) {module}: {module}::Client,")?;
        writeln!(
            self.inits,
            "            {module}: {module}::Client::new_with_client(base_url, http.clone(), shared.clone()),"
        )?;
        writeln!(
            self.accessors,
            "    /// {accessor_doc}\n    \
             pub fn {module}(&self) -> &{module}::Client {{\n        &self.{owner}{module}\n    }}\n"
        )?;
        writeln!(
            self.blocking_accessors,
            "    /// {accessor_doc} End its calls with `.send_blocking()`.\n    \
             pub fn {module}(&self) -> &{module}::Client {{\n        self.as_async().{module}()\n    }}\n"
        )
    }
}

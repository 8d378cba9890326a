//! Where configuration variables are read: the environment, and with the command line
//! (feature `cli`) its flags before it and its config file after it. `Client::from_env`
//! reads through [`read`]; the command line fills its layers once, before it makes a client.

/// The value of configuration variable `name`, trimmed; empty is unset.
pub(crate) fn read(name: &str) -> Option<String> {
    let value = layered(name)?;
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

#[cfg(not(feature = "cli"))]
fn layered(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Its flag, else the environment, else the config file.
#[cfg(feature = "cli")]
fn layered(name: &str) -> Option<String> {
    let layers = layers::LAYERS.get();
    if let Some(value) = layers.and_then(|l| l.flags.get(name)) {
        return Some(value.clone());
    }
    if let Ok(value) = std::env::var(name)
        && !value.trim().is_empty()
    {
        return Some(value);
    }
    layers.and_then(|l| l.file.get(name)).cloned()
}

#[cfg(feature = "cli")]
pub(crate) use layers::set;

#[cfg(feature = "cli")]
mod layers {
    use std::collections::BTreeMap;
    use std::sync::OnceLock;

    /// The layers beside the environment, by variable.
    pub(super) struct Layers {
        pub(super) flags: BTreeMap<&'static str, String>,
        pub(super) file: BTreeMap<&'static str, String>,
    }

    pub(super) static LAYERS: OnceLock<Layers> = OnceLock::new();

    /// Sets the flags' values and the config file's, once.
    pub(crate) fn set(flags: BTreeMap<&'static str, String>, file: BTreeMap<&'static str, String>) {
        let _ = LAYERS.set(Layers { flags, file });
    }
}

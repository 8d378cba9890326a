//! One realistic call per operation of each generated client.

use std::fmt::Debug;
use std::time::Duration;

use secops_clients::{ApiKey, Error, File, Response, RetryPolicy, insightvm, insightvm_console, invicti};
use serde::de::DeserializeOwned;

use crate::{Expect, Failure};

/// Clients for one API, pointed at a mock.
pub enum Clients {
    Invicti(invicti::Client),
    InsightVm(insightvm::Client),
    InsightVmConsole(insightvm_console::Client),
}

impl Clients {
    pub fn new(module: &str, base_url: &str) -> Result<Self, String> {
        // Retries would hide a refused request behind its second attempt: one attempt each.
        let retry = RetryPolicy::disabled();
        let timeout = Duration::from_secs(30);
        match module {
            "invicti" => invicti::Client::builder(ApiKey::new("conformance-invicti-key"))
                .base_url(base_url)
                .retry(retry)
                .timeout(timeout)
                .build()
                .map(Clients::Invicti)
                .map_err(|e| e.to_string()),
            "insightvm" => insightvm::Client::builder(ApiKey::new("conformance-insightvm-key"))
                .base_url(base_url)
                .retry(retry)
                .timeout(timeout)
                .build()
                .map(Clients::InsightVm)
                .map_err(|e| e.to_string()),
            "insightvm_console" => {
                insightvm_console::Client::builder("conformance", ApiKey::new("conformance-password"))
                    .base_url(base_url)
                    .token(ApiKey::new("123456"))
                    .retry(retry)
                    .timeout(timeout)
                    .build()
                    .map(Clients::InsightVmConsole)
                    .map_err(|e| e.to_string())
            }
            other => Err(format!("no conformance calls for API `{other}`")),
        }
    }

    /// Calls operation `id` and judges the answer against `expect`.
    pub async fn call(&self, id: &str, expect: Expect) -> Result<String, Failure> {
        match self {
            Clients::Invicti(client) => invicti_call(client, id, expect).await.map_err(Failure::Plain),
            Clients::InsightVm(client) => insightvm_call(client, id, expect).await.map_err(Failure::Plain),
            Clients::InsightVmConsole(client) => crate::generated::insightvm_console_call(client, id, expect).await,
        }
    }
}

const DEFINITION: &str = "openapi: 3.0.3\ninfo: {title: Petstore, version: '1.0'}\npaths: {}\n";

async fn invicti_call(client: &invicti::Client, id: &str, expect: Expect) -> Result<String, String> {
    use invicti::types;
    match id {
        "listApiTargets" => judge(prefer!(client.list_api_targets().limit(20), expect).send().await, expect),
        "getApiTarget" => {
            judge(prefer!(client.get_api_target("4c1f2a9e-7d1b-4f7e-9a57-1f0c2e3d4b5a"), expect).send().await, expect)
        }
        "createApiTargetFromDefinition" => {
            let file = File::from_bytes("petstore.yaml", DEFINITION).content_type("application/yaml");
            let call = client.create_api_target_from_definition(
                types::DefinitionFormatInput::Openapi3,
                "provided",
                "manual-upload",
                file,
            );
            judge(prefer!(call, expect).send().await, expect)
        }
        "uploadApiDefinition" => {
            let file = File::from_bytes("petstore.yaml", DEFINITION).content_type("application/yaml");
            let call = client.upload_api_definition("OpenAPI3", file).mode("Push").origin("CI/CD Pipeline");
            judge(prefer!(call, expect).send().await, expect)
        }
        "linkApiTarget" => {
            let link = types::LinkRequest::new("4c1f2a9e-7d1b-4f7e-9a57-1f0c2e3d4b5a", "https://api.example.com");
            judge(prefer!(client.link_api_target(link), expect).send().await, expect)
        }
        "exportInventory" => {
            let request =
                types::ExportRequest::new(types::ExportRequestExportType::Targets, types::ExportRequestFormat::Csv);
            let result = prefer!(client.export_inventory(request), expect).send().await;
            match result {
                // The body is a byte stream: read it all, as a download would.
                Ok(response) => {
                    let status = response.status().as_u16();
                    if let Expect::Error { status: asked, .. } = expect {
                        return Err(format!("asked for {asked}, got success HTTP {status}"));
                    }
                    let bytes = response.into_body().collect().await.map_err(|e| format!("reading the export: {e}"))?;
                    Ok(format!("HTTP {status}, {} bytes streamed", bytes.len()))
                }
                Err(error) => judge::<(), _>(Err(error), expect),
            }
        }
        other => Err(format!("no conformance call for operation `{other}`: add one to conformance/src/calls.rs")),
    }
}

async fn insightvm_call(client: &insightvm::Client, id: &str, expect: Expect) -> Result<String, String> {
    use insightvm::types;
    const ASSET: &str = "f5f1e1a6-4d1b-4b1d-9a51-0a1b2c3d4e5f-default-asset-7";
    match id {
        "health" => judge(prefer!(client.health(), expect).send().await, expect),
        "searchIntegrationAssets" => {
            let criteria = types::AssetVulnerabilityQueryResource {
                asset: Some("asset.ipv4 IN ['10.0.0.0/8'] && asset.criticalVulnerabilities > 0".into()),
                vulnerability: Some("vulnerability.severity = 'critical'".into()),
            };
            let call = client.search_assets().page(0).size(50).sort(["risk_score,DESC", "id,ASC"]).body(criteria);
            judge(prefer!(call, expect).send().await, expect)
        }
        "getIntegrationAsset" => judge(prefer!(client.get_asset(ASSET), expect).send().await, expect),
        "searchIntegrationVulnerabilities" => {
            let criteria =
                types::VulnerabilitySearch { vulnerability: Some("vulnerability.cvssV3Score >= 9.0".into()) };
            let call = client.search_vulnerabilities().size(100).body(criteria);
            judge(prefer!(call, expect).send().await, expect)
        }
        "getSites" => judge(prefer!(client.list_sites().size(25), expect).send().await, expect),
        "startScan" => {
            let request = types::ScanForm {
                name: Some("Weekly critical assets".into()),
                asset_ids: Some(vec![ASSET.into()]),
                ..Default::default()
            };
            judge(prefer!(client.start_scan(request), expect).send().await, expect)
        }
        "getScans" => judge(prefer!(client.list_scans().page(0).size(10), expect).send().await, expect),
        "getScan" => {
            judge(prefer!(client.get_scan("3fa85f64-5717-4562-b3fc-2c963f66afa6"), expect).send().await, expect)
        }
        "stopScan" => {
            judge(prefer!(client.stop_scan("3fa85f64-5717-4562-b3fc-2c963f66afa6"), expect).send().await, expect)
        }
        "getScanEngines" => judge(prefer!(client.list_scan_engines().size(10), expect).send().await, expect),
        "getScanEngine" => judge(prefer!(client.get_scan_engine("42"), expect).send().await, expect),
        "updateScanEngineConfiguration" => {
            let property = types::ScanEngineConfigurationPropertyInput::new("proxy.host", "10.1.2.3");
            let update = types::UpdateEnginePropertiesForm::new(vec![property]);
            judge(prefer!(client.update_scan_engine_configuration("42", update), expect).send().await, expect)
        }
        "removeScanEngineConfiguration" => {
            let removal = types::RemoveScanEngineConfigurationProperty::new(vec!["proxy.host".into()]);
            judge(prefer!(client.remove_scan_engine_configuration("42", removal), expect).send().await, expect)
        }
        other => Err(format!("no conformance call for operation `{other}`: add one to conformance/src/calls.rs")),
    }
}

/// Judges an answer: success must decode; an asked-for error status must come back with its
/// documented body decoded. Anything else fails with what the server said, verbatim.
fn judge<T: DeserializeOwned + Debug, E: Debug>(
    result: Result<Response<T>, Error<E>>,
    expect: Expect,
) -> Result<String, String> {
    match (result, expect) {
        (Err(Error::Decode(error)), Expect::Success) => {
            decode_around_faker_defects::<T>(error.body(), error.path()).map_err(|()| error.to_string())
        }
        (result, expect) => judge_outcome(result.map(|response| response.status().as_u16()), expect),
    }
}

/// Judges a call by its status: success when one was expected, else the asked-for error
/// status with its documented body decoded.
pub fn judge_outcome<E: Debug>(result: Result<u16, Error<E>>, expect: Expect) -> Result<String, String> {
    match (result, expect) {
        (Ok(status), Expect::Success) => Ok(format!("HTTP {status} decoded")),
        (Ok(got), Expect::Error { status, .. }) => Err(format!("asked for {status}, got success HTTP {got}")),
        (Err(Error::Api(error)), Expect::Error { status, typed }) if error.status().as_u16() == status => {
            match (typed, error.error()) {
                (true, None) => Err(format!(
                    "HTTP {status} body does not decode into the documented error: {}",
                    String::from_utf8_lossy(error.body())
                )),
                (true, Some(_)) => Ok(format!("HTTP {status}, typed error decoded")),
                (false, _) => Ok(format!("HTTP {status} (no error body documented)")),
            }
        }
        // Prism names what a request got wrong in `sl-violations`; pass it on verbatim.
        (Err(Error::Api(error)), _) => Err(format!(
            "the mock answered HTTP {}: {}{}",
            error.status().as_u16(),
            String::from_utf8_lossy(error.body()),
            error
                .headers()
                .get("sl-violations")
                .map(|v| format!("\n    violations: {}", String::from_utf8_lossy(v.as_bytes())))
                .unwrap_or_default()
        )),
        (Err(error), _) => Err(error.to_string()),
    }
}

/// Prism's dynamic mode (json-schema-faker) has a known defect: for a property named like a
/// JSON Schema keyword (`definitions`), it answers with the property's schema instead of a
/// value. Such a value is recognised only when it is itself a schema object (`type` plus
/// `items`, `properties` or `description`); it is taken out and the rest of the answer must
/// still decode into the typed model. A missing required field, or any other mismatch,
/// still fails.
fn decode_around_faker_defects<T: DeserializeOwned>(body: &[u8], first_path: &str) -> Result<String, ()> {
    let mut document: serde_json::Value = serde_json::from_slice(body).map_err(|_| ())?;
    let mut path = first_path.to_owned();
    let mut removed = 0;
    while removed < 1000 {
        let pointer = pointer_of(&path);
        let is_schema = document.pointer(&pointer).and_then(serde_json::Value::as_object).is_some_and(|object| {
            object.get("type").and_then(serde_json::Value::as_str).is_some()
                && ["items", "properties", "description"].iter().any(|key| object.contains_key(*key))
        });
        let (parent, key) = pointer.rsplit_once('/').ok_or(())?;
        let taken_out = is_schema
            && document.pointer_mut(parent).and_then(|p| p.as_object_mut()).is_some_and(|p| p.remove(key).is_some());
        if !taken_out {
            return Err(());
        }
        removed += 1;
        match serde_path_to_error::deserialize::<_, T>(document.clone()) {
            Ok(_) => {
                return Ok(format!(
                    "decoded, after taking out {removed} value(s) Prism faked from a schema (`{first_path}`)"
                ));
            }
            Err(error) => path = error.path().to_string(),
        }
    }
    Err(())
}

/// `targets[0].definitions` → `/targets/0/definitions`.
pub fn pointer_of(path: &str) -> String {
    let mut pointer = String::new();
    for step in path.split('.') {
        let (name, indexes) = step.split_once('[').map_or((step, ""), |(n, rest)| (n, rest));
        if !name.is_empty() {
            pointer.push('/');
            pointer.push_str(&name.replace('~', "~0").replace('/', "~1"));
        }
        for index in indexes.split('[').map(|i| i.trim_end_matches(']')).filter(|i| !i.is_empty()) {
            pointer.push('/');
            pointer.push_str(index);
        }
    }
    pointer
}

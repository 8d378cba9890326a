//! One realistic call per operation of each generated client.

use std::time::Duration;

use secops_clients::{ApiKey, File, RetryPolicy, insightvm, insightvm_console, invicti};

use crate::judge::judge;
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

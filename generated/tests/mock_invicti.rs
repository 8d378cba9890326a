//! An Invicti automation as a user writes it, tested with the kit alone (feature `mock`):
//! link every API target that has no link yet to the DAST scan target of its base URL.

use futures::TryStreamExt;
use secops_clients::invicti::mock::MockServer;
use secops_clients::invicti::{ApiKey, Client, Error, types};

/// Links each API target without links to a DAST target at `base_url`; returns the links.
async fn link_new_targets(client: &Client, base_url: &str) -> Result<Vec<String>, Error<types::ErrorResponse>> {
    let targets: Vec<types::ApiTarget> = client.list_api_targets().into_stream().try_collect().await?;
    let mut links = Vec::new();
    for target in targets.iter().filter(|target| target.links.as_ref().is_none_or(Vec::is_empty)) {
        let link = client.link_api_target(types::LinkRequest::new(target.id.as_str(), base_url)).send().await?;
        links.extend(link.into_body().id);
    }
    Ok(links)
}

fn target(id: &str, linked: bool) -> types::ApiTarget {
    let links = linked.then(|| vec![serde_json::json!({ "id": "existing" })]);
    types::ApiTarget { links, ..types::ApiTarget::new(id, id) }
}

#[tokio::test]
async fn only_unlinked_targets_are_linked() {
    let server = MockServer::start().await;
    let mut first = types::ApiTargetList::new(vec![target("billing", false), target("orders", true)], 3);
    first.next_page = Some("c2".into());
    server.list_api_targets().matching(|call| call.query("cursor").is_empty()).ok(&first).await;
    server.list_api_targets().query("cursor", "c2").ok(&types::ApiTargetList::new(vec![target("users", false)], 3)).await;
    let link = types::ApiTargetLink { id: Some("new-link".into()), ..Default::default() };
    let links = server.link_api_target().times(2).ok(&link).await;
    let client = Client::builder(ApiKey::new("jwt")).base_url(server.uri()).build().unwrap();

    assert_eq!(link_new_targets(&client, "https://api.example.com").await.unwrap(), ["new-link", "new-link"]);
    let linked: Vec<String> =
        links.calls().iter().map(|call| call.json::<types::LinkRequest>().unwrap().api_target_id).collect();
    assert_eq!(linked, ["billing", "users"]);
}

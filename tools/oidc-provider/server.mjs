// A real authorization server and an API behind one loopback origin, for the OAuth2 tests.
//
//   node server.mjs <port> <token lifetime in seconds>
//
// oidc-provider issues client-credentials tokens at POST /oauth/token (client_secret_basic);
// GET /v1/detections answers only a bearer token the provider finds valid (issued, not
// expired, not revoked). /admin/issued counts the tokens issued; POST /admin/revoke revokes
// every token issued so far. Prints "ready" once listening.
import http from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const lifetime = Number(process.argv[3] || 60);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'edr-automation',
    client_secret: 's3cr3t-client-secret',
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'detections:read',
  }],
  scopes: ['detections:read'],
  features: {
    clientCredentials: { enabled: true },
    devInteractions: { enabled: false },
  },
  routes: { token: '/oauth/token' },
  ttl: { ClientCredentials: lifetime },
});
provider.proxy = true;

const issued = [];
provider.on('grant.success', () => {});
provider.on('client_credentials.saved', (token) => issued.push(token.jti));

async function valid(header) {
  const token = (header || '').startsWith('Bearer ') ? header.slice(7) : '';
  if (!token) return false;
  const found = await provider.ClientCredentials.find(token);
  return Boolean(found) && !found.isExpired;
}

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  const json = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.url === '/admin/issued') return json(200, { issued: issued.length });
  if (req.url === '/admin/revoke' && req.method === 'POST') {
    for (const jti of issued) {
      const token = await provider.ClientCredentials.find(jti);
      if (token) await token.destroy();
    }
    return json(200, { revoked: issued.length });
  }
  if (req.url.startsWith('/v1/detections')) {
    if (await valid(req.headers.authorization)) return json(200, [{ id: 'd-1', severity: 'high' }]);
    return json(401, { error: 'invalid_token' });
  }
  return callback(req, res);
});
server.listen(port, '127.0.0.1', () => console.log('ready'));

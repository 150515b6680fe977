#!/usr/bin/env bash
# A provisioning script written for Kong: the calls of Kong's Admin API documentation for consumers
# ("Create Consumer"), key-auth ("Create a key") and acl ("Associate a consumer with a group"), form-encoded and
# JSON. The one change for Tollgate: HTTP Basic credentials (-u), since Tollgate's Admin API is never open.
set -euo pipefail
KONG_ADMIN_URL=${KONG_ADMIN_URL:-http://localhost:8001}
CREDENTIALS=(-u "${ADMIN_USER}:${ADMIN_PASSWORD}")

# Create a consumer
curl -sS --fail-with-body "${CREDENTIALS[@]}" -X POST "$KONG_ADMIN_URL/consumers/" \
  --data "username=${CONSUMER}" \
  --data "custom_id=${CONSUMER}-crm"
echo

# Create a key for it
curl -sS --fail-with-body "${CREDENTIALS[@]}" -X POST "$KONG_ADMIN_URL/consumers/${CONSUMER}/key-auth" \
  --data "key=${API_KEY}"
echo

# Associate it with a group
curl -sS --fail-with-body "${CREDENTIALS[@]}" -X POST "$KONG_ADMIN_URL/consumers/${CONSUMER}/acls" \
  --data "group=partners" \
  --data "tags[]=provisioned"
echo

# A generated key, with JSON
curl -sS --fail-with-body "${CREDENTIALS[@]}" -X POST "$KONG_ADMIN_URL/consumers/${CONSUMER}/key-auth" \
  --header "Content-Type: application/json" \
  --data '{"tags": ["generated"]}'
echo

# Read it back
curl -sS --fail-with-body "${CREDENTIALS[@]}" "$KONG_ADMIN_URL/consumers/${CONSUMER}"
echo

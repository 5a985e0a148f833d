#!/usr/bin/env bash
# End to end: private keys made with openssl and ssh-keygen and tokens of many providers made
# from random bytes, written into a directory tree, are all found by the scanner's driver with
# the right rule, path and line, and no output line carries a secret.
# usage: keys_and_tokens.sh DRIVER
set -euo pipefail
mkdir -p "${DD_TEST_TMP:-/tmp}"
driver=$1
tmp=$(mktemp -d "${DD_TEST_TMP:-/tmp}/secrets-e2e.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root/app/config" "$root/root/.ssh" "$root/etc/ssl/private" "$root/srv/deploy"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$root/etc/ssl/private/rsa-pkcs8.pem" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$root/etc/ssl/private/ec-pkcs8.pem" 2>/dev/null
openssl genpkey -algorithm ED25519 -out "$root/etc/ssl/private/ed25519.pem" 2>/dev/null
openssl genrsa -traditional -out "$root/etc/ssl/private/rsa-traditional.pem" 2048 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$root/etc/ssl/private/ec-sec1.pem" 2>/dev/null
openssl pkcs8 -topk8 -in "$root/etc/ssl/private/rsa-pkcs8.pem" -passout pass:x9Kq2Lm7 \
    -out "$root/etc/ssl/private/rsa-encrypted.pem" 2>/dev/null
openssl genrsa -traditional -aes128 -passout pass:x9Kq2Lm7 -out "$root/etc/ssl/private/rsa-legacy-enc.pem" 2048 2>/dev/null
openssl dsaparam -genkey -noout -out "$root/etc/ssl/private/dsa.pem" 1024 2>/dev/null || true
ssh-keygen -q -t ed25519 -N '' -C test -f "$root/root/.ssh/id_ed25519"
ssh-keygen -q -t rsa -b 2048 -N '' -C test -f "$root/root/.ssh/id_rsa"
ssh-keygen -q -t ecdsa -N '' -C test -f "$root/root/.ssh/id_ecdsa"
ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -C test -f "$root/root/.ssh/id_rsa_pem"

# tokens of each family, from random bytes; expected "RULE<TAB>PATH<TAB>LINE" lines
python3 - "$root" > "$tmp/expected" <<'PY'
import math, os, sys, base64, secrets
root = sys.argv[1]
def rnd(alphabet, n):
    while True:
        s = ''.join(secrets.choice(alphabet) for _ in range(n))
        # a well-formed token has no runs a placeholder would have
        # and, like a real one, the entropy of random bytes (the scanner's gate is 2.9 bits)
        h = -sum(s.count(c) / n * math.log2(s.count(c) / n) for c in set(s))
        if h >= 3.0 and not any(s[i] == s[i+1] == s[i+2] == s[i+3] for i in range(len(s) - 3)):
            return s
AN = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
AND = AN + '_-'
HEX = '0123456789abcdef'
B64 = AN + '+/'
files = {
  'app/.env': [
    ('GITHUB_TOKEN=ghp_' + rnd(AN, 36), 'GITHUB-PAT'),
    ('GH_APP=ghs_' + rnd(AN, 36), 'GITHUB-SERVER-TO-SERVER-TOKEN'),
    ('GITHUB_PAT=github_pat_' + rnd(AN + '_', 82), 'GITHUB-FINE-GRAINED-PAT'),
    ('GITLAB_TOKEN=glpat-' + rnd(AND, 20), 'GITLAB-PAT'),
    ('SLACK_BOT_TOKEN=xoxb-' + rnd('0123456789', 12) + '-' + rnd('0123456789', 13) + '-' + rnd(AN, 24), 'SLACK-BOT-TOKEN'),
    ('SLACK_WEBHOOK=https://hooks.slack.com/services/T' + rnd('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 10) + '/B' + rnd('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 10) + '/' + rnd(AN, 24), 'SLACK-WEBHOOK'),
    ('STRIPE_SECRET_KEY=sk_live_' + rnd(AN, 99), 'STRIPE-SECRET-KEY'),
    ('TWILIO_AUTH_TOKEN=' + rnd(HEX, 32), 'TWILIO-AUTH-TOKEN'),
    ('SENDGRID_API_KEY=SG.' + rnd(AND, 22) + '.' + rnd(AND, 43), 'SENDGRID-API-KEY'),
    ('HF_TOKEN=hf_' + rnd('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 34), 'HUGGINGFACE-TOKEN'),
    ('OPENAI_API_KEY=sk-proj-' + rnd(AND, 156), 'OPENAI-PROJECT-KEY'),
    ('ANTHROPIC_API_KEY=sk-ant-api03-' + rnd(AND, 93) + 'AA', 'ANTHROPIC-API-KEY'),
    ('DATABASE_URL=postgres://app:' + rnd(AN, 20) + '@db.internal:5432/app', 'POSTGRES-URL-PASSWORD'),
    ('MONGO_URL=mongodb+srv://app:' + rnd(AN, 20) + '@cluster0.mongodb.net/app', 'MONGODB-URL-PASSWORD'),
    ('REDIS_URL=redis://:' + rnd(AN, 24) + '@cache:6379/0', 'REDIS-URL-PASSWORD'),
    ('AMQP_URL=amqp://app:' + rnd(AN, 16) + '@mq:5672/', 'AMQP-URL-PASSWORD'),
    ('MYSQL_URL=mysql://app:' + rnd(AN, 16) + '@mysql:3306/app', 'MYSQL-URL-PASSWORD'),
    ('DB_PASSWORD=' + rnd(AN, 10) + '#7', 'GENERIC-PASSWORD'),
  ],
  'app/config/cloud.ini': [
    ('[default]', None),
    ('aws_access_key_id = AKIA' + rnd('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16), 'AWS-ACCESS-KEY-ID'),
    ('aws_secret_access_key = ' + rnd(B64, 40), 'AWS-SECRET-ACCESS-KEY'),
    ('azure = DefaultEndpointsProtocol=https;AccountName=app;AccountKey=' + base64.b64encode(os.urandom(64)).decode() + ';EndpointSuffix=core.windows.net', 'AZURE-STORAGE-ACCOUNT-KEY'),
    ('google_api_key = AIza' + rnd(AND, 35), 'GCP-API-KEY'),
    ('do_token = dop_v1_' + rnd(HEX, 64), 'DIGITALOCEAN-PAT'),
    ('datadog_api_key = ' + rnd(HEX, 32), 'DATADOG-API-KEY'),
    ('newrelic = NRAK-' + rnd('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 27), 'NEWRELIC-USER-API-KEY'),
    ('shopify = shpat_' + rnd(HEX, 32), 'SHOPIFY-ACCESS-TOKEN'),
    ('linear = lin_api_' + rnd(AN, 40), 'LINEAR-API-KEY'),
    ('doppler = dp.pt.' + rnd(AN, 43), 'DOPPLER-PERSONAL-TOKEN'),
    ('pulumi = pul-' + rnd(HEX, 40), 'PULUMI-ACCESS-TOKEN'),
    ('vault = hvs.' + rnd(AND, 95), 'VAULT-SERVICE-TOKEN'),
    ('grafana = glsa_' + rnd(AN, 32) + '_' + rnd(HEX, 8), 'GRAFANA-SERVICE-ACCOUNT-TOKEN'),
    ('sentry = sntryu_' + rnd(HEX, 64), 'SENTRY-USER-TOKEN'),
    ('telegram = ' + rnd('123456789', 9) + ':AA' + rnd(AND, 33), 'TELEGRAM-BOT-TOKEN'),
  ],
  'srv/deploy/.npmrc': [
    ('//registry.npmjs.org/:_authToken=npm_' + rnd(AN, 36), 'NPM-ACCESS-TOKEN'),
  ],
  'srv/deploy/.pypirc': [
    ('[pypi]', None),
    ('password = pypi-AgEIcHlwaS5vcmc' + rnd(AND, 120), 'PYPI-UPLOAD-TOKEN'),
  ],
  'srv/deploy/docker.txt': [
    ('echo dckr_pat_' + rnd(AND, 27) + ' | docker login -u app --password-stdin', 'DOCKERHUB-PAT'),
  ],
  'srv/deploy/service-account.json': [
    ('{"type": "service_account", "project_id": "app",', None),
    ('"private_key": "-----BEGIN PRIVATE KEY-----\\n' + base64.b64encode(os.urandom(48)).decode() + '\\n-----END PRIVATE KEY-----\\n",', 'GCP-SERVICE-ACCOUNT-KEY'),
    ('"client_email": "app@app.iam.gserviceaccount.com"}', None),
  ],
}
secrets_file = open(os.path.join(root, '..', 'raw-secrets'), 'w')
for path, lines in files.items():
    with open(os.path.join(root, path), 'w') as f:
        for i, (text, rule) in enumerate(lines, 1):
            f.write(text + '\n')
            if rule:
                print('DD-SECRET-%s\t%s\t%d' % (rule, path, i))
                value = text.split('=', 1)[1] if '=' in text else text
                secrets_file.write(value.split('@')[0].split(':')[-1][-16:] + '\n')
PY

for f in rsa-pkcs8:PKCS8 ec-pkcs8:PKCS8 ed25519:PKCS8 rsa-traditional:RSA ec-sec1:EC \
         rsa-encrypted:PKCS8-ENCRYPTED rsa-legacy-enc:RSA; do
    printf 'DD-SECRET-PRIVATE-KEY-%s\tetc/ssl/private/%s.pem\t1\n' "${f#*:}" "${f%%:*}" >> "$tmp/expected"
done
if [ -s "$root/etc/ssl/private/dsa.pem" ]; then
    # OpenSSL 3 writes PKCS#8 here, older versions the traditional DSA form
    if head -1 "$root/etc/ssl/private/dsa.pem" | grep -q 'BEGIN DSA'; then kind=DSA; else kind=PKCS8; fi
    printf 'DD-SECRET-PRIVATE-KEY-%s\tetc/ssl/private/dsa.pem\t1\n' "$kind" >> "$tmp/expected"
fi
for k in id_ed25519 id_rsa id_ecdsa; do
    printf 'DD-SECRET-PRIVATE-KEY-OPENSSH\troot/.ssh/%s\t1\n' "$k" >> "$tmp/expected"
done
printf 'DD-SECRET-PRIVATE-KEY-RSA\troot/.ssh/id_rsa_pem\t1\n' >> "$tmp/expected"

rc=0
(cd "$root" && "$driver" .) > "$tmp/out" || rc=$?
[ "$rc" -eq 0 ] || { echo "driver exited $rc"; exit 1; }
awk -F'\t' '{ split($3, pl, ":"); p = pl[1]; sub(/^\.\//, "", p); print $2 "\t" p "\t" pl[2] }' "$tmp/out" |
    sort > "$tmp/found"
sort "$tmp/expected" > "$tmp/want"
if ! diff -u "$tmp/want" "$tmp/found"; then
    echo "FAIL: findings differ from the planted secrets (- missing, + unexpected)"
    exit 1
fi
# redaction: no output line carries a secret (the last 16 characters of each planted value)
while read -r tail; do
    [ ${#tail} -ge 8 ] || continue
    if grep -qF -- "$tail" "$tmp/out"; then
        echo "FAIL: a secret is printed: ...$tail"
        exit 1
    fi
done < "$tmp/raw-secrets"
for k in "$root"/etc/ssl/private/*.pem "$root"/root/.ssh/id_*[!b]; do
    body=$(sed -n '2,3p' "$k" | tr -d '\n' | cut -c5-40)
    if [ -n "$body" ] && grep -qF -- "$body" "$tmp/out"; then
        echo "FAIL: key material of $k is printed"
        exit 1
    fi
done
echo "ok: $(wc -l < "$tmp/want") planted secrets found, all redacted"

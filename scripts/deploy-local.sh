#!/usr/bin/env bash
# npm run deploy:local [-- --config PATH] [--env NAME] [--keep] [--raw]
#
# Deploys one environment of the CDK app to moto_server (a local AWS emulator)
# and runs `npm run verify` against it. Nothing leaves this machine: moto binds
# to 127.0.0.1 only, credentials are dummies, and every AWS call goes to
# AWS_ENDPOINT_URL. moto is always stopped on exit (also on Ctrl-C or failure).
#
# Steps: start moto on a free port, synthesize (-c config=PATH) into a
# throw-away directory, bootstrap the primary and the DR region, make the local
# copy of the templates deployable on moto (see docs/operations.md,
# "deploy:local"), deploy the stacks one by one in dependency order (a stack
# moto cannot deploy is reported and its dependents are skipped; the others go
# on), run verify.
#
# Exit codes: 0 every stack deployed and verify ran (verify's FAILs, on what
# moto does not emulate, are printed but do not decide the exit code); 1 some
# stack failed or was skipped, or verify could not run; 2 could not run at all
# (moto missing or not starting, bad config, synth or bootstrap failed, no
# stack deployed).
set -uo pipefail
if [ "${BASH_VERSINFO[0]:-0}" -lt 4 ]; then
  echo "deploy:local: needs bash 4 or newer (this is bash ${BASH_VERSION:-unknown})" >&2
  exit 2
fi

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
HELPER="$ROOT/scripts/deploy-local/moto_cfn.py"
CDK="$ROOT/node_modules/.bin/cdk"
CONFIG=config/local.yaml
ENV_NAME=
KEEP=0
RAW=0
STACK_TIMEOUT=${DEPLOY_LOCAL_STACK_TIMEOUT:-180}
# The live evidence report (OPS-3) of the run: <env>.live.md and .json; git ignores cdk.out.*/.
REPORT_DIR=${DEPLOY_LOCAL_REPORT_DIR:-$ROOT/cdk.out.local/evidence}

usage() {
  cat <<'EOF'
usage: npm run deploy:local [-- --config PATH] [--env NAME] [--keep] [--raw]

  --config PATH  configuration file (default config/local.yaml); the environment
                 must be in account 123456789012, the account moto answers as
  --env NAME     environment to deploy (default: the first one in the file)
  --keep         keep the work directory (synthesized templates, moto log,
                 one deploy log per stack) and print its path
  --raw          deploy the templates exactly as synthesized, without the moto
                 workarounds (shows what moto itself fails on; exits non-zero)

Needs moto_server (pip install "moto[server]") on PATH or in $HOME/.pyenv/shims.
DEPLOY_LOCAL_STACK_TIMEOUT (seconds, default 180) bounds each stack's deploy.
DEPLOY_LOCAL_REPORT_DIR (default cdk.out.local/evidence) receives the live
evidence report <env>.live.md and .json that verify writes.
DEPLOY_LOCAL_ENDPOINT=http://127.0.0.1:PORT deploys to a moto you started (left running).
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --config) [ $# -ge 2 ] || { usage >&2; exit 2; }; CONFIG=$2; shift 2 ;;
    --config=*) CONFIG=${1#*=}; shift ;;
    --env) [ $# -ge 2 ] || { usage >&2; exit 2; }; ENV_NAME=$2; shift 2 ;;
    --env=*) ENV_NAME=${1#*=}; shift ;;
    --keep) KEEP=1; shift ;;
    --raw) RAW=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) printf 'deploy:local: unknown argument %s\n' "$1" >&2; usage >&2; exit 2 ;;
  esac
done

START=$(date +%s)
elapsed() { echo $(($(date +%s) - START)); }
step() { printf '\n== %s  [%ss]\n' "$*" "$(elapsed)"; }
die() {
  printf '\ndeploy:local: %s\n' "$1" >&2
  exit "${2:-2}"
}

# ----------------------------------------------------------------- isolation
# Only dummy credentials, never a profile, an SSO session or instance metadata.
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
export CDK_DISABLE_CLI_TELEMETRY=true AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
# Endpoints are set once moto runs; until then nothing may call AWS.
unset AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION

# ----------------------------------------------------------------- prerequisites
case ":$PATH:" in
  *":$HOME/.pyenv/shims:"*) ;;
  *) PATH="$PATH:$HOME/.pyenv/shims" ;;
esac
MOTO_BIN=$(command -v moto_server) ||
  die "moto_server not found on PATH or in $HOME/.pyenv/shims; install it with: pip install 'moto[server]' (tested with moto 5.2.1)"
[ -x "$CDK" ] || die "$CDK not found; run npm ci first"

# The helper needs the Python that runs moto_server (it imports moto and boto3).
find_moto_python() {
  local real=$MOTO_BIN first py pyenv="${PYENV_ROOT:-$HOME/.pyenv}/libexec/pyenv"
  if grep -qs pyenv "$MOTO_BIN" && [ -x "$pyenv" ]; then
    real=$("$pyenv" which moto_server 2>/dev/null) || real=$MOTO_BIN
  fi
  first=$(head -n1 "$real" 2>/dev/null)
  case "$first" in
    '#!'*python*) first=${first#\#!} ;;
    *) first= ;;
  esac
  for py in "$first" python3; do
    # shellcheck disable=SC2086 # "/usr/bin/env python3" must split into words
    if [ -n "$py" ] && $py -c 'import moto, boto3' >/dev/null 2>&1; then
      echo "$py"
      return 0
    fi
  done
  return 1
}
PY=$(find_moto_python) || die "found $MOTO_BIN but no Python that imports moto and boto3 (tried its interpreter and python3)"
helper() {
  # shellcheck disable=SC2086
  $PY -W ignore "$HELPER" "$@" </dev/null
}

# ----------------------------------------------------------------- configuration
step "configuration $CONFIG"
INFO=$(node --import tsx -e '
const { loadConfig } = require("./lib/config/load");
const { goldenAmiParameterName } = require("./lib/config/naming");
const { releaseParameterName } = require("./lib/release/contract");
const [file, want] = process.argv.slice(1);
let envs;
try { envs = loadConfig(file).environments; } catch (e) { console.error(e.message); process.exit(1); }
const env = want ? envs.find((x) => x.name === want) : envs[0];
if (!env) { console.error(`unknown environment "${want}" in ${file}; environments: ${envs.map((x) => x.name).join(", ")}`); process.exit(1); }
console.log([env.name, env.account, env.region, env.drRegion, env.ingress.certificate.arn ?? "-",
  env.ingress.hosts[0].hostname, goldenAmiParameterName(env.tags.application, env.name),
  releaseParameterName(env.tags.application, env.name)].join("\t"));
' "$CONFIG" "$ENV_NAME") || die "cannot use $CONFIG (see above)"
IFS=$'\t' read -r ENV_NAME ACCOUNT REGION DR_REGION CERT_ARN HOSTNAME AMI_PARAMETER RELEASE_PARAMETER <<<"$INFO"
[ "$ACCOUNT" = 123456789012 ] ||
  die "environment $ENV_NAME is in account $ACCOUNT; moto answers as 123456789012 (verify would refuse another account): use config/local.yaml or set account: '123456789012'"
export AWS_REGION=$REGION AWS_DEFAULT_REGION=$REGION
echo "environment $ENV_NAME: account $ACCOUNT, $REGION, DR region $DR_REGION"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/deploy-local.XXXXXX") || die "cannot create a work directory"
ASM=$WORK/cdk.out
MOTO_LOG=$WORK/moto.log
MOTO_PID=

# ----------------------------------------------------------------- cleanup
stop_moto() {
  [ -n "$MOTO_PID" ] || return 0
  local pid=$MOTO_PID target=$MOTO_PID i
  MOTO_PID=
  # moto runs in its own process group (the pyenv shim and the Python behind it).
  [ "$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')" = "$pid" ] && target=-$pid
  kill -TERM -- "$target" 2>/dev/null || return 0
  for i in 1 2 3 4 5 6 7 8 9 10; do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL -- "$target" 2>/dev/null
  wait "$pid" 2>/dev/null
  echo "moto_server (pid $pid) stopped"
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_moto
  if [ "$KEEP" = 1 ]; then
    echo "work directory kept: $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo; echo "deploy:local: interrupted" >&2; exit 130' INT
trap 'echo "deploy:local: terminated" >&2; exit 143' TERM

# ----------------------------------------------------------------- moto
start_moto() {
  local attempt port i
  for attempt in 1 2 3; do
    port=$(helper free-port) || return 1
    # Monitor mode puts moto in its own process group, so stop_moto reaches the
    # Python process behind the pyenv shim and Ctrl-C does not hit it first.
    set -m
    "$MOTO_BIN" -H 127.0.0.1 -p "$port" >"$MOTO_LOG" 2>&1 </dev/null &
    MOTO_PID=$!
    set +m
    for i in $(seq 1 100); do
      if ! kill -0 "$MOTO_PID" 2>/dev/null; then
        break
      fi
      if helper ready "$port"; then
        MOTO_PORT=$port
        return 0
      fi
      sleep 0.2
    done
    tail -n 5 "$MOTO_LOG" >&2
    stop_moto
    echo "moto_server did not start on 127.0.0.1:$port (attempt $attempt)" >&2
  done
  return 1
}
if [ -n "${DEPLOY_LOCAL_ENDPOINT:-}" ]; then
  # A moto the caller started and stops (e.g. the teardown test, which inspects
  # what is left afterwards): used as is, never stopped here.
  step "moto_server at $DEPLOY_LOCAL_ENDPOINT (DEPLOY_LOCAL_ENDPOINT)"
  [[ "$DEPLOY_LOCAL_ENDPOINT" =~ ^http://127\.0\.0\.1:([0-9]+)$ ]] ||
    die "DEPLOY_LOCAL_ENDPOINT must be http://127.0.0.1:PORT (got $DEPLOY_LOCAL_ENDPOINT)"
  MOTO_PORT=${BASH_REMATCH[1]}
  helper ready "$MOTO_PORT" || die "no moto answers at $DEPLOY_LOCAL_ENDPOINT"
  : >"$MOTO_LOG"
else
  step "moto_server"
  start_moto || die "moto_server ($MOTO_BIN) could not start on 127.0.0.1; see the lines above"
fi
ENDPOINT=http://127.0.0.1:$MOTO_PORT
export AWS_ENDPOINT_URL=$ENDPOINT
# The CLI hands CloudFormation the template's S3 URL built from this endpoint;
# moto reads a URL path-style only when its host is "localhost" (it never
# fetches it: the object comes from moto's own S3).
export AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION=http://localhost:$MOTO_PORT
echo "moto $($PY -c 'import moto; print(moto.__version__)') on $ENDPOINT (pid $MOTO_PID)"

# ----------------------------------------------------------------- synth
step "synth -c config=$CONFIG"
if ! "$CDK" synth --quiet --no-notices -c config="$CONFIG" -o "$ASM" '**' >"$WORK/synth.log" 2>&1; then
  tail -n 30 "$WORK/synth.log" >&2
  die "cdk synth failed (see above)"
fi
echo "synthesized into $ASM"

# ----------------------------------------------------------------- bootstrap
step "cdk bootstrap aws://$ACCOUNT/$REGION aws://$ACCOUNT/$DR_REGION"
if ! (cd "$WORK" && "$CDK" bootstrap "aws://$ACCOUNT/$REGION" "aws://$ACCOUNT/$DR_REGION" \
  --no-notices --progress events) >"$WORK/bootstrap.log" 2>&1; then
  tail -n 30 "$WORK/bootstrap.log" >&2
  die "cdk bootstrap against moto failed (see above)"
fi
grep -h '✅' "$WORK/bootstrap.log" | sed 's/^ *//'

# ----------------------------------------------------------------- stand-ins and patches
step "moto stand-ins and template patches (local copy only)"
REPLACE=()
if [ "$RAW" = 1 ]; then
  echo "--raw: templates deployed as synthesized (no certificate stand-in, no patches)"
elif [ "$CERT_ARN" != - ]; then
  MOTO_CERT=$(helper certificate "$REGION" "$HOSTNAME") || die "could not request a certificate from moto's ACM"
  echo "certificate: moto ACM issued $MOTO_CERT for $HOSTNAME (stands in for $CERT_ARN)"
  REPLACE+=("$CERT_ARN=$MOTO_CERT")
fi
AMI=$(helper golden-ami "$AMI_PARAMETER" "$REGION") || die "could not put the golden AMI parameter"
echo "golden AMI: SSM $AMI_PARAMETER = ${AMI%%$'\t'*} (${AMI#*$'\t'}), a moto stock image; the Image Builder pipeline cannot run on moto"
RELEASE=$(helper release-record "$RELEASE_PARAMETER" "$REGION") || die "could not create the release record"
echo "release record: SSM $RELEASE_PARAMETER = $RELEASE (created once, as the Image stack's initializer does; moto runs no custom resources)"
if [ "$RAW" = 0 ]; then
  helper patch "$ASM" "$ENV_NAME" ${REPLACE[@]+"${REPLACE[@]}"} | sed 's/^/patched /'
  [ "${PIPESTATUS[0]}" = 0 ] || die "could not patch the templates"
fi

# ----------------------------------------------------------------- deploy
step "deploy $ENV_NAME/* in dependency order (cdk deploy --method=direct, one stack at a time)"
mapfile -t PLAN < <(helper plan "$ASM" "$ENV_NAME")
[ "${#PLAN[@]}" -gt 0 ] || die "no stacks for environment $ENV_NAME in $ASM"

# GNU timeout bounds a deploy that moto never finishes (e.g. a resource waiting
# for a signal); without it (macOS) a hung stack needs Ctrl-C.
TIMEOUT=()
command -v timeout >/dev/null && TIMEOUT=(timeout -k 10 "$STACK_TIMEOUT")
declare -A STATE=()
RESULTS=()
deployed=0
for line in "${PLAN[@]}"; do
  IFS=$'\t' read -r path name region template deps <<<"$line"
  t0=$(date +%s)
  blocked=
  if [ "$deps" != - ]; then
    IFS=, read -r -a dep_list <<<"$deps"
    for d in "${dep_list[@]}"; do
      [ "${STATE[$d]:-}" = deployed ] || blocked="${blocked:+$blocked, }$d"
    done
  fi
  if [ -n "$blocked" ]; then
    STATE[$path]=skipped
    detail="not attempted: depends on $blocked"
  else
    log="$WORK/deploy-$name.log"
    offset=$(wc -c <"$MOTO_LOG" | tr -d ' ')
    (cd "$WORK" && ${TIMEOUT[@]+"${TIMEOUT[@]}"} "$CDK" deploy "$path" --app "$ASM" --exclusively \
      --require-approval never --method=direct --no-notices --progress events) >"$log" 2>&1 </dev/null
    rc=$?
    status=$(helper status "$name" "$region" "$template")
    stack_status=${status%%$'\t'*}
    if [ "$rc" = 0 ] && [[ "$stack_status" =~ ^(CREATE|UPDATE)_COMPLETE$ ]]; then
      STATE[$path]=deployed
      deployed=$((deployed + 1))
      detail=${status#*$'\t'}
      # What moto's CloudFormation dropped (bucket versioning and public access
      # block, bucket policies, ALB tags and attributes), applied through the API.
      [ "$RAW" = 1 ] || helper apply "$name" "$region" "$template" 2>&1 | sed "s|^|  $path applied: |" >>"$WORK/applied.log"
    else
      STATE[$path]=failed
      if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        reason="timed out after ${STACK_TIMEOUT}s (stack $stack_status)"
      else
        # The CLI's error ("‣ ..." after "❌"), then what moto itself logged.
        reason=$(grep -A3 '❌' "$log" | grep -v '❌' | grep -m1 . | sed 's/^[‣ ]*//')
        [ -n "$reason" ] || reason="cdk deploy exited $rc, stack $stack_status"
      fi
      # A crash inside moto answers 500; the SDK retries and the CLI then reports
      # "Stack ... already exists": moto's own exception is the real reason.
      moto_error=$(helper moto-error "$MOTO_LOG" "$offset")
      detail=${moto_error:-$reason}
    fi
  fi
  row=$(printf '%-24s %-10s %-9s %3ss  %s' "$path" "$region" "${STATE[$path]}" "$(($(date +%s) - t0))" "$detail")
  echo "$row"
  RESULTS+=("$row")
done

[ "$deployed" -gt 0 ] || die "moto could not deploy any stack of $ENV_NAME (see the reasons above; --keep keeps the logs)"

# ----------------------------------------------------------------- verify
step "npm run verify -- --env $ENV_NAME --config $CONFIG --assembly <work>/cdk.out --report $REPORT_DIR  (against $ENDPOINT)"
# The assembly is the patched local copy: it is what was deployed, so drift (OPS-3) compares like with like.
npm run --silent verify -- --env "$ENV_NAME" --config "$CONFIG" --assembly "$ASM" --report "$REPORT_DIR" 2>&1 </dev/null |
  tee "$WORK/verify.log"
VERIFY_RC=${PIPESTATUS[0]}
# verify exits 1 on a FAIL and 2 when any check ERRORed or it could not run at
# all; it ran when it printed its summary line.
if grep -qE '^[0-9]+ checks: ' "$WORK/verify.log"; then
  VERIFY_RAN=1
  VERIFY_SUMMARY=$(grep -E '^[0-9]+ checks: ' "$WORK/verify.log" | tail -n1)
else
  VERIFY_RAN=0
  VERIFY_SUMMARY="did not run: $(grep -m1 . "$WORK/verify.log")"
fi

# ----------------------------------------------------------------- summary
step "summary"
printf '%-24s %-10s %-9s %4s  %s\n' STACK REGION RESULT TIME DETAIL
printf '%s\n' "${RESULTS[@]}"
echo
echo "verify (exit $VERIFY_RC): $VERIFY_SUMMARY"
if [ -f "$REPORT_DIR/$ENV_NAME.live.md" ]; then
  echo "live evidence report: $REPORT_DIR/$ENV_NAME.live.md (and .json)"
  # The report's summary: controls per status and the control table.
  sed -n '/^## Summary/,/^## Controls/p' "$REPORT_DIR/$ENV_NAME.live.md" | sed '$d'
fi
echo "   verify's exit code does not decide deploy:local's. Expected FAILs on moto: trail.* (moto does not"
echo "   create AWS::CloudTrail::Trail), fleet.imdsv2 and fleet.ebs-encrypted (instances an Auto Scaling group"
echo "   launches in moto ignore the launch template's metadata options and volumes), ebs.encryption-by-default"
echo "   (an account setting the app does not manage). See docs/operations.md, \"deploy:local\"."
[ -s "$WORK/applied.log" ] && { echo "   applied through the API what moto's CloudFormation dropped:"; cat "$WORK/applied.log"; }
echo "total ${deployed}/${#PLAN[@]} stacks deployed in $(elapsed)s"

if [ "$deployed" -lt "${#PLAN[@]}" ]; then
  die "$((${#PLAN[@]} - deployed)) of ${#PLAN[@]} stacks did not deploy on moto (see the summary; --keep keeps the logs)" 1
fi
if [ "$VERIFY_RAN" = 0 ]; then
  die "verify could not run against moto (exit $VERIFY_RC)" 1
fi
echo "deploy:local: OK (exit 0)"

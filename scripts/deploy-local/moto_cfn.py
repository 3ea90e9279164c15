"""Helpers for scripts/deploy-local.sh (npm run deploy:local): reads the
synthesized cloud assembly, patches the local copy of its templates so that
moto's CloudFormation can deploy them, puts moto stand-ins in place (a
certificate, the golden-AMI parameter) and reads back what moto made of a stack.

Run with the Python interpreter that runs moto_server: it imports moto (for the
list of resource types moto's CloudFormation supports) and boto3. Never talks
to real AWS: every client goes to AWS_ENDPOINT_URL, which must be a local URL.
See docs/operations.md, "deploy:local", for why each patch exists.
"""

import json
import os
import re
import socket
import sys
from collections import Counter


def fail(message):
    print(f"moto_cfn: {message}", file=sys.stderr)
    sys.exit(2)


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# --------------------------------------------------------------------------- assembly


def stage_dir(assembly, stage):
    manifest = load_json(os.path.join(assembly, "manifest.json"))
    for art in manifest["artifacts"].values():
        if art["type"] == "cdk:cloud-assembly" and art.get("properties", {}).get("displayName") == stage:
            return os.path.join(assembly, art["properties"]["directoryName"])
    fail(f"no stage {stage!r} in {assembly}")


def stacks_in_order(assembly, stage):
    """The stage's stacks in dependency order (Kahn, ties in manifest order)."""
    sdir = stage_dir(assembly, stage)
    manifest = load_json(os.path.join(sdir, "manifest.json"))
    stacks = {}
    for art_id, art in manifest["artifacts"].items():
        if art["type"] != "aws:cloudformation:stack":
            continue
        region = art["environment"].rsplit("/", 1)[-1]
        stacks[art_id] = {
            "id": art_id,
            "path": art.get("displayName", art_id),
            "name": art["properties"].get("stackName", art_id),
            "region": region,
            "template": os.path.join(sdir, art["properties"]["templateFile"]),
            "deps": [d for d in art.get("dependencies", []) if d in manifest["artifacts"]
                     and manifest["artifacts"][d]["type"] == "aws:cloudformation:stack"],
        }
    ordered, done = [], set()
    while len(ordered) < len(stacks):
        ready = [s for s in stacks.values() if s["id"] not in done and all(d in done for d in s["deps"])]
        if not ready:
            fail("dependency cycle between stacks: " + ", ".join(s for s in stacks if s not in done))
        for s in ready:
            ordered.append(s)
            done.add(s["id"])
    return ordered


def cmd_plan(assembly, stage):
    """One line per stack: path, stack name, region, template, dependency paths (comma separated or -)."""
    stacks = stacks_in_order(assembly, stage)
    by_id = {s["id"]: s for s in stacks}
    for s in stacks:
        deps = ",".join(by_id[d]["path"] for d in s["deps"]) or "-"
        print("\t".join([s["path"], s["name"], s["region"], s["template"], deps]))


# --------------------------------------------------------------------------- moto support


def moto_model_map():
    from moto.cloudformation import parsing

    return parsing.get_model_map(), set(parsing.NULL_MODELS)


def unsupported_types(template):
    """Resource types in the template that moto's CloudFormation does not create (it skips them with a warning)."""
    models, nulls = moto_model_map()
    types = Counter(r["Type"] for r in template.get("Resources", {}).values())
    return {t: n for t, n in types.items() if t not in models and t not in nulls and not t.startswith("Custom::")}


# --------------------------------------------------------------------------- patches

def is_custom_resource(rtype):
    return rtype.startswith("Custom::") or rtype == "AWS::CloudFormation::CustomResource"


def patch_template(template, replacements):
    """Makes the local copy deployable on moto; returns the changes made (human-readable)."""
    changes = []
    resources = template.get("Resources", {})

    # 1. Literal values that name things which exist in real AWS but not in moto
    #    (the configured ACM certificate): replaced by their moto stand-ins.
    if replacements:
        text = json.dumps(template)
        for old, new in replacements.items():
            if old in text:
                text = text.replace(old, new)
                changes.append(f"{old} replaced by {new} (moto's stand-in)")
        template.clear()
        template.update(json.loads(text))
        resources = template.get("Resources", {})

    for lid, r in list(resources.items()):
        rtype, props = r["Type"], r.get("Properties", {})
        # 2. moto's AWS::KMS::Key hands CloudFormation's Tags ({Key, Value}) to
        #    the KMS tagger, which expects the API's {TagKey, TagValue}.
        if rtype == "AWS::KMS::Key" and props.get("Tags"):
            props["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in props["Tags"]]
            changes.append(f"{lid} ({rtype}): Tags given as TagKey/TagValue (moto: KeyError 'TagKey')")
        # 2b. moto keeps a KeyPolicy object as it is and then fails every
        #     DescribeKey with "the JSON object must be str ... not dict".
        if rtype == "AWS::KMS::Key" and isinstance(props.get("KeyPolicy"), dict):
            props["KeyPolicy"] = {"Fn::ToJsonString": props["KeyPolicy"]}
            changes.append(f"{lid} ({rtype}): KeyPolicy given as a JSON string (moto: DescribeKey fails on an object)")
        # 2c. moto stores a role's inline policy object as Python's repr; IAM
        #     GetRolePolicy then answers a document that is not JSON.
        if rtype == "AWS::IAM::Role" and any(isinstance(p.get("PolicyDocument"), dict) for p in props.get("Policies", [])):
            for p in props["Policies"]:
                if isinstance(p.get("PolicyDocument"), dict):
                    p["PolicyDocument"] = {"Fn::ToJsonString": p["PolicyDocument"]}
            changes.append(f"{lid} ({rtype}): inline policies given as JSON strings (moto: stored as Python repr)")
        # 3. moto's AWS::RDS::DBParameterGroup answers Ref with the object, not
        #    its name; the instance then fails with AttributeError 'startswith'.
        if rtype == "AWS::RDS::DBInstance" and isinstance(props.get("DBParameterGroupName"), dict):
            del props["DBParameterGroupName"]
            changes.append(
                f"{lid} ({rtype}): DBParameterGroupName dropped, the instance uses moto's default group "
                "(moto: Ref to a DBParameterGroup is not its name)"
            )
        # 4. CloudFormation's default DocumentFormat is JSON and Content may be
        #    an object; moto requires DocumentFormat and a string.
        if rtype == "AWS::SSM::Document" and "DocumentFormat" not in props and isinstance(props.get("Content"), dict):
            props["DocumentFormat"] = "JSON"
            props["Content"] = {"Fn::ToJsonString": props["Content"]}
            changes.append(f"{lid} ({rtype}): DocumentFormat JSON made explicit (moto: 'Invalid document format None')")
        # 4b. CloudFormation's AWS::SSM::Parameter takes Tags as a map; moto's
        #     model iterates it as a list of {Key, Value} and fails.
        if rtype == "AWS::SSM::Parameter" and isinstance(props.get("Tags"), dict):
            del props["Tags"]
            changes.append(f"{lid} ({rtype}): Tags dropped (moto: TypeError on CloudFormation's tag map)")

    # 5. moto has no LoadBalancerFullName / TargetGroupFullName attributes
    #    (NotImplementedError, AttributeError 'get_cfn_attribute'): computed
    #    from the ARN (moto's Ref) the way CloudFormation defines them.
    skipped = set(unsupported_types(template))

    def full_name(node):
        if isinstance(node, list):
            return [full_name(n) for n in node]
        if not isinstance(node, dict):
            return node
        get_att = node.get("Fn::GetAtt")
        if isinstance(get_att, list) and len(get_att) == 2 and get_att[0] in resources:
            rtype = resources[get_att[0]]["Type"]
            ref = {"Ref": get_att[0]}
            if rtype == "AWS::ElasticLoadBalancingV2::LoadBalancer" and get_att[1] == "LoadBalancerFullName":
                split = {"Fn::Split": ["/", ref]}  # arn:...:loadbalancer/app/NAME/ID
                changes.append(f"GetAtt {get_att[0]}.LoadBalancerFullName computed from its ARN (moto: not implemented)")
                return {"Fn::Join": ["/", [{"Fn::Select": [i, split]} for i in (1, 2, 3)]]}
            if rtype in skipped:
                # moto skips the resource (e.g. Image Builder), so nothing answers its attributes.
                changes.append(f"GetAtt {get_att[0]}.{get_att[1]} replaced by a stand-in (moto skips {rtype})")
                return f"arn:aws:moto-standin:::{get_att[0]}"
            if rtype == "AWS::RDS::DBInstance" and get_att[1] == "MasterUserSecret.SecretArn":
                changes.append(f"GetAtt {get_att[0]}.MasterUserSecret.SecretArn replaced by a stand-in (moto: not supported)")
                return "arn:aws:secretsmanager:us-east-1:123456789012:secret:moto-standin"
            if rtype == "AWS::RDS::DBInstance" and get_att[1] == "DbiResourceId":
                # Only IAM database authentication names it (rds-db:connect); moto has no such attribute.
                changes.append(f"GetAtt {get_att[0]}.DbiResourceId replaced by a stand-in (moto: not supported)")
                return "db-MOTOSTANDIN"
            if rtype == "AWS::ElasticLoadBalancingV2::TargetGroup" and get_att[1] == "TargetGroupFullName":
                changes.append(f"GetAtt {get_att[0]}.TargetGroupFullName computed from its ARN (moto: not implemented)")
                return {"Fn::Select": [5, {"Fn::Split": [":", ref]}]}  # arn:...:targetgroup/NAME/ID
        return {k: full_name(v) for k, v in node.items()}

    for section in ("Resources", "Outputs"):
        if section in template:
            template[section] = full_name(template[section])
    resources = template.get("Resources", {})

    # 6. Custom resources need their Lambda handler to run (in Docker, which
    #    moto server would start); moto would wait for the answer forever.
    custom = [lid for lid, r in resources.items() if is_custom_resource(r["Type"])]
    for lid in custom:
        changes.append(f"{lid} ({resources[lid]['Type']}): removed (its Lambda handler cannot run in moto)")
        del resources[lid]
    for r in resources.values():
        dep = r.get("DependsOn")
        if isinstance(dep, str) and dep in custom:
            del r["DependsOn"]
        elif isinstance(dep, list) and any(d in custom for d in dep):
            r["DependsOn"] = [d for d in dep if d not in custom]
            if not r["DependsOn"]:
                del r["DependsOn"]
    return changes


def cmd_patch(assembly, stage, *replace):
    """Patches the stage's templates in place; `replace` are OLD=NEW literal substitutions."""
    replacements = dict(r.split("=", 1) for r in replace)
    for s in stacks_in_order(assembly, stage):
        template = load_json(s["template"])
        changes = patch_template(template, replacements)
        if changes:
            with open(s["template"], "w", encoding="utf-8") as f:
                json.dump(template, f, indent=1)
            for c in changes:
                print(f"{s['path']}: {c}")


# --------------------------------------------------------------------------- moto queries


def client(service, region):
    import boto3

    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint or not re.match(r"^http://(127\.0\.0\.1|localhost):\d+$", endpoint):
        fail(f"AWS_ENDPOINT_URL must point at the local moto server, got {endpoint!r}")
    return boto3.client(service, region_name=region, endpoint_url=endpoint)


def cmd_free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


def cmd_ready(port):
    """Exit 0 when moto answers on 127.0.0.1:port."""
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{int(port)}/moto-api/", timeout=1) as r:
            sys.exit(0 if r.status == 200 else 1)
    except Exception:  # noqa: BLE001
        sys.exit(1)


def cmd_unsupported(assembly, stage):
    """Per stack, the resource types moto's CloudFormation would skip (diagnostic; needs no server)."""
    for s in stacks_in_order(assembly, stage):
        u = unsupported_types(load_json(s["template"]))
        u.pop("AWS::CDK::Metadata", None)
        if u:
            print(f"{s['path']}: " + ", ".join(f"{t} x{n}" for t, n in sorted(u.items())))


def cmd_status(name, region, template_file):
    """After a deploy: the stack's status, and how many of its resources moto created
    (all but those of types its CloudFormation skips without an error)."""
    template = load_json(template_file)
    cf = client("cloudformation", region)
    try:
        stack = cf.describe_stacks(StackName=name)["Stacks"][0]
    except Exception as e:  # noqa: BLE001
        print("MISSING\t" + " ".join(str(e).split())[:200])
        return
    resources = [r for r in template.get("Resources", {}).values() if r["Type"] != "AWS::CDK::Metadata"]
    skipped = unsupported_types(template)
    skipped.pop("AWS::CDK::Metadata", None)
    emulated = len(resources) - sum(skipped.values())
    detail = f"{emulated}/{len(resources)} resources created"
    if skipped:
        detail += "; moto skipped (no CloudFormation support): " + ", ".join(
            t.replace("AWS::", "") + (f" x{c}" if c > 1 else "") for t, c in sorted(skipped.items())
        )
    print(f"{stack['StackStatus']}\t{detail}")


PSEUDO = {"AWS::Partition": "aws", "AWS::AccountId": "123456789012", "AWS::URLSuffix": "amazonaws.com"}


def resolve(value, physical, exports, types=None):
    """A template value with Ref / Fn::GetAtt (a bucket's Arn) / Fn::ImportValue / Fn::Join resolved
    against the deployed stack; None when it cannot be."""
    if isinstance(value, (str, int, float, bool)):
        return str(value).lower() if isinstance(value, bool) else str(value)
    if isinstance(value, dict) and len(value) == 1:
        (fn, arg), = value.items()
        if fn == "Ref":
            return PSEUDO.get(arg) or physical.get(arg)
        if fn == "Fn::GetAtt" and isinstance(arg, list) and arg[1] == "Arn" and (types or {}).get(arg[0]) == "AWS::S3::Bucket":
            return f"arn:aws:s3:::{physical[arg[0]]}" if physical.get(arg[0]) else None
        if fn == "Fn::ImportValue":
            name = resolve(arg, physical, exports, types)
            return exports.get(name) if name else None
        if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
            parts = [resolve(v, physical, exports, types) for v in arg[1]]
            return None if None in parts else arg[0].join(parts)
    return None


def cmd_apply(name, region, template_file):
    """After a deploy: applies through the API the properties moto's CloudFormation ignores
    (it creates the resource without them), read from the deployed template. Only what
    the template states is applied; a value that cannot be resolved is left out and said."""
    template = load_json(template_file)
    cf = client("cloudformation", region)
    physical = {
        r["LogicalResourceId"]: r.get("PhysicalResourceId")
        for r in cf.describe_stack_resources(StackName=name)["StackResources"]
        if r.get("LogicalResourceId")  # moto lists some resources without one
    }
    exports = {}
    for page in cf.get_paginator("list_exports").paginate():
        exports.update({e["Name"]: e["Value"] for e in page["Exports"]})
    elbv2, s3 = client("elbv2", region), client("s3", region)
    types = {lid: r["Type"] for lid, r in template.get("Resources", {}).items()}

    def deep(node):
        """The whole document resolved, or None when any part cannot be."""
        if isinstance(node, list):
            out = [deep(n) for n in node]
            return None if None in out else out
        if isinstance(node, dict) and not (len(node) == 1 and next(iter(node)).startswith(("Ref", "Fn::"))):
            out = {k: deep(v) for k, v in node.items()}
            return None if None in out.values() else out
        if not isinstance(node, dict):
            return node  # scalars keep their JSON type (the APIs want booleans and numbers)
        return resolve(node, physical, exports, types)

    for lid, r in template.get("Resources", {}).items():
        props, pid = r.get("Properties", {}), physical.get(lid)
        if not pid and r["Type"] not in ("AWS::S3::BucketPolicy", "AWS::WAFv2::WebACL"):
            continue
        if r["Type"] == "AWS::ElasticLoadBalancingV2::LoadBalancer":
            tags = [{"Key": t["Key"], "Value": resolve(t["Value"], physical, exports)} for t in props.get("Tags", [])]
            tags = [t for t in tags if t["Value"] is not None]
            if tags:
                elbv2.add_tags(ResourceArns=[pid], Tags=tags)
                print(f"{lid}: {len(tags)} tags (moto's CloudFormation drops them)")
            attrs, unresolved = [], []
            for a in props.get("LoadBalancerAttributes", []):
                v = resolve(a["Value"], physical, exports)
                (attrs.append({"Key": a["Key"], "Value": v}) if v is not None else unresolved.append(a["Key"]))
            if attrs:
                elbv2.modify_load_balancer_attributes(LoadBalancerArn=pid, Attributes=attrs)
                note = f"; not resolvable: {', '.join(unresolved)}" if unresolved else ""
                print(f"{lid}: {len(attrs)} load balancer attributes (moto's CloudFormation drops them){note}")
        if r["Type"] == "AWS::ElasticLoadBalancingV2::Listener" and props.get("ListenerAttributes"):
            attrs = deep(props["ListenerAttributes"])
            if attrs:
                elbv2.modify_listener_attributes(ListenerArn=pid, Attributes=attrs)
                print(f"{lid}: {len(attrs)} listener attributes (moto's CloudFormation drops them)")
        if r["Type"] == "AWS::WAFv2::WebACL":
            # moto's CloudFormation skips web ACLs; its WAF API takes the same shape.
            acl = deep({k: v for k, v in props.items() if k in ("Scope", "DefaultAction", "Rules", "VisibilityConfig", "Description")})
            assoc = [a for a in template["Resources"].values() if a["Type"] == "AWS::WAFv2::WebACLAssociation"]
            target = resolve(assoc[0]["Properties"].get("ResourceArn"), physical, exports, types) if assoc else None
            if acl:
                waf = client("wafv2", region)
                made = waf.create_web_acl(Name=props.get("Name", lid), **acl)["Summary"]
                print(f"{lid}: web ACL {made['Name']} created (moto's CloudFormation skips AWS::WAFv2::WebACL)")
                if target:
                    waf.associate_web_acl(WebACLArn=made["ARN"], ResourceArn=target)
                    print(f"{lid}: associated with {target}")
            else:
                print(f"{lid}: web ACL not created (a value of the template could not be resolved)")
        if r["Type"] == "AWS::S3::BucketPolicy":
            # moto's CloudFormation skips bucket policies altogether.
            bucket, doc = resolve(props.get("Bucket"), physical, exports, types), deep(props.get("PolicyDocument"))
            if bucket and doc:
                s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(doc))
                print(f"{lid}: policy of {bucket} put (moto's CloudFormation skips AWS::S3::BucketPolicy)")
            else:
                print(f"{lid}: policy not put (a value of the template could not be resolved)")
        if r["Type"] == "AWS::S3::Bucket":
            done = []
            if props.get("VersioningConfiguration", {}).get("Status"):
                s3.put_bucket_versioning(Bucket=pid, VersioningConfiguration={"Status": props["VersioningConfiguration"]["Status"]})
                done.append("versioning")
            block = props.get("PublicAccessBlockConfiguration")
            if block and all(isinstance(v, bool) for v in block.values()):
                s3.put_public_access_block(Bucket=pid, PublicAccessBlockConfiguration=block)
                done.append("public access block")
            if done:
                print(f"{lid}: {', '.join(done)} (moto's CloudFormation applies only the bucket encryption)")


def cmd_golden_ami(parameter, region):
    """Puts an AMI moto knows into the golden-AMI parameter (the image pipeline cannot run on moto)."""
    ec2 = client("ec2", region)
    images = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "architecture", "Values": ["arm64"]}])["Images"]
    if not images:
        images = ec2.describe_images(Owners=["amazon"])["Images"]
    if not images:
        fail("moto knows no AMI to use as the golden image")
    image = sorted(images, key=lambda i: i["ImageId"])[0]
    client("ssm", region).put_parameter(
        Name=parameter, Type="String", DataType="aws:ec2:image", Value=image["ImageId"], Overwrite=True
    )
    print(f"{image['ImageId']}\t{image.get('Name', '')}")


def cmd_release_record(parameter, region):
    """Creates the release record as "none -" unless it exists (the Image stack's AwsCustomResource; moto runs none)."""
    ssm = client("ssm", region)
    try:
        print(ssm.get_parameter(Name=parameter)["Parameter"]["Value"])
        return
    except ssm.exceptions.ParameterNotFound:
        pass
    ssm.put_parameter(Name=parameter, Type="String", Value="none -", Overwrite=False)
    print("none -")


def cmd_certificate(region, domain):
    """Requests a certificate from moto's ACM and prints its ARN (moto's ALB listener only checks that it exists)."""
    arn = client("acm", region).request_certificate(DomainName=domain, ValidationMethod="DNS")["CertificateArn"]
    print(arn)


def cmd_moto_error(log_file, offset):
    """The first exception moto logged after byte `offset` (the cause; later ones come
    from the SDK retrying the failed call): its message and the deepest moto frame."""
    with open(log_file, encoding="utf-8", errors="replace") as f:
        f.seek(int(offset))
        text = f.read()
    blocks = text.split("Traceback (most recent call last):")
    if len(blocks) < 2:
        return
    lines = blocks[1].split("\nError on request:")[0].splitlines()
    frames = [l.strip() for l in lines if l.strip().startswith('File "') and "/moto/" in l]
    last = ""
    for l in lines:
        if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Exit)\b.*", l) or re.match(r"^[\w.]+: ", l):
            last = l.strip()
    where = ""
    if frames:
        m = re.search(r'/moto/(.+?)", line (\d+), in (\S+)', frames[-1])
        if m:
            where = f" (moto/{m.group(1)}:{m.group(2)} {m.group(3)})"
    if last:
        print(f"moto internal error: {last}{where}")


COMMANDS = {
    "plan": cmd_plan,
    "patch": cmd_patch,
    "unsupported": cmd_unsupported,
    "status": cmd_status,
    "apply": cmd_apply,
    "golden-ami": cmd_golden_ami,
    "release-record": cmd_release_record,
    "free-port": cmd_free_port,
    "ready": cmd_ready,
    "moto-error": cmd_moto_error,
    "certificate": cmd_certificate,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        fail(f"usage: moto_cfn.py {'|'.join(COMMANDS)} ARGS")
    COMMANDS[sys.argv[1]](*sys.argv[2:])

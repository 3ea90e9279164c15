"""moto_server with the deletions its CloudFormation lacks, for tearing an
environment down locally (the teardown test: deploy:local, then
`npm run teardown`, then nothing of it left).

MOTO-ONLY WORKAROUNDS. Nothing here changes what the CDK program or teardown
does in AWS; it makes moto 5.2.1 behave as AWS CloudFormation does where it
does not:

1. moto's CloudFormation deletes a stack's resources only when their model
   can delete itself. AWS::EC2::RouteTable, Route, SubnetRouteTableAssociation,
   NatGateway, EIP, InternetGateway, VPCGatewayAttachment, VPCEndpoint and
   FlowLog, and the ELBv2 Listener, ListenerRule and TargetGroup cannot, so
   they stay; moto's DeleteVpc then refuses ("The vpc ... has dependencies",
   because route tables other than the main one remain) and, as moto drops a
   stack before deleting its resources, the Network stack vanishes half
   deleted. In AWS, CloudFormation deletes every one of them. Added here:
   a `delete` for each, calling the EC2 / ELBv2 backend as the API would.
2. moto's CloudFormation has no AWS::Backup::BackupVault, so deploy:local
   skips the vaults and teardown could never meet one. Added: the model
   (name, tags, key, lock configuration), the vault's Ref and Arn.
3. moto's Backup has no recovery points and no vault access policies. Added:
   ListRecoveryPointsByBackupVault (always empty: moto runs no backup jobs)
   and DeleteBackupVaultAccessPolicy, so teardown's vault deletion runs as in
   AWS; recovery-point deletion is covered by unit tests over fakes.
4. moto's AWS::RDS::DBSubnetGroup has no physical ID, so ListStackResources
   gives the retained subnet group an empty one; added: its name (and, as
   its Ref becomes the name as in AWS, moto's DBInstance takes a name too).

Usage: python moto_server.py [moto_server flags], e.g. -H 127.0.0.1 -p 5000.
"""

import json
import re
import sys

from moto.backup import urls as backup_urls
from moto.backup.models import Vault, backup_backends
from moto.backup.responses import BackupResponse
from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends
from moto.ec2.models.elastic_ip_addresses import ElasticAddress
from moto.ec2.models.flow_logs import FlowLogs
from moto.ec2.models.internet_gateways import InternetGateway
from moto.ec2.models.nat_gateways import NatGateway
from moto.ec2.models.route_tables import Route, RouteTable
from moto.ec2.models.subnets import SubnetRouteTableAssociation
from moto.ec2.models.vpcs import VPCEndPoint
from moto.ec2.models.vpn_gateway import VPCGatewayAttachment
from moto.elbv2.models import FakeListener, FakeListenerRule, FakeTargetGroup, elbv2_backends
from moto.rds.models import DBInstance, DBSubnetGroup, rds_backends

# --------------------------------------------------------------------------- 1. deletions


def _ec2(account_id, region_name):
    return ec2_backends[account_id][region_name]


# moto deletes a stack's resources in no particular order: a route, an association or a gateway endpoint
# whose route table went first is gone with it, as in AWS.


def _route_delete(self, account_id, region_name):
    ec2 = _ec2(account_id, region_name)
    if self.route_table.id in ec2.route_tables:
        cidr = self.destination_cidr_block or self.destination_ipv6_cidr_block
        ec2.delete_route(self.route_table.id, cidr, self.destination_ipv6_cidr_block)


def _association_delete(self, account_id, region_name):
    ec2 = _ec2(account_id, region_name)
    table = ec2.route_tables.get(self.route_table_id)
    for association_id, subnet_id in list(table._associations.items()) if table else []:
        if subnet_id == self.subnet_id:
            ec2.disassociate_route_table(association_id)


def _endpoint_delete(self, account_id, region_name):
    ec2 = _ec2(account_id, region_name)
    self.route_table_ids = [t for t in (self.route_table_ids or []) if t in ec2.route_tables]
    ec2.delete_vpc_endpoints([self.id])


def _gateway_attachment_delete(self, account_id, region_name):
    ec2 = _ec2(account_id, region_name)
    igw = ec2.internet_gateways.get(self.gateway_id)
    if igw is not None and igw.vpc is not None:
        ec2.detach_internet_gateway(self.gateway_id, self.vpc_id)


DELETES = {
    RouteTable: lambda self, a, r: _ec2(a, r).delete_route_table(self.id),
    Route: _route_delete,
    SubnetRouteTableAssociation: _association_delete,
    NatGateway: lambda self, a, r: _ec2(a, r).delete_nat_gateway(self.id),
    ElasticAddress: lambda self, a, r: _ec2(a, r).release_address(allocation_id=self.allocation_id),
    InternetGateway: lambda self, a, r: _ec2(a, r).delete_internet_gateway(self.id),
    VPCGatewayAttachment: _gateway_attachment_delete,
    VPCEndPoint: _endpoint_delete,
    FlowLogs: lambda self, a, r: _ec2(a, r).delete_flow_logs([self.id]),
    FakeListenerRule: lambda self, a, r: elbv2_backends[a][r].delete_rule(self.arn),
    FakeListener: lambda self, a, r: elbv2_backends[a][r].delete_listener(self.arn),
    FakeTargetGroup: lambda self, a, r: elbv2_backends[a][r].delete_target_group(self.arn),
}


def _gone_counts_as_deleted(delete):
    """A resource another deletion took with it (a listener with its load balancer, a route with its table)
    is deleted, as CloudFormation sees it: moto's "not found" / "invalid ID" errors are ignored."""

    def run(self, account_id, region_name):
        try:
            delete(self, account_id, region_name)
        except Exception as e:  # noqa: BLE001
            if not re.search(r"NotFound|^Invalid\w*Id", type(e).__name__):
                raise

    return run


for model, delete in DELETES.items():
    if "delete" in vars(model):
        sys.exit(f"moto_server.py: {model.__name__} has its own delete in this moto version; review this patch")
    model.delete = _gone_counts_as_deleted(delete)

# --------------------------------------------------------------------------- 2. AWS::Backup::BackupVault


class BackupVaultModel(CloudFormationModel):
    # moto's model metaclass reads the service name from the module path.
    __module__ = "moto.backup.models"

    @staticmethod
    def cloudformation_name_type():
        return "BackupVaultName"

    @staticmethod
    def cloudformation_type():
        return "AWS::Backup::BackupVault"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json.get("Properties", {})
        backend = backup_backends[account_id][region_name]
        name = props.get("BackupVaultName", resource_name)
        vault = backend.create_backup_vault(name, props.get("BackupVaultTags") or {}, props.get("EncryptionKeyArn"), None)
        lock = props.get("LockConfiguration")
        if lock:
            backend.put_backup_vault_lock_configuration(
                name,
                int(lock["MinRetentionDays"]) if "MinRetentionDays" in lock else None,
                int(lock["MaxRetentionDays"]) if "MaxRetentionDays" in lock else None,
                int(lock["ChangeableForDays"]) if "ChangeableForDays" in lock else None,
            )
        return vault


def _vault_attribute(self, attribute_name):
    if attribute_name in ("Arn", "BackupVaultArn"):
        return self.backup_vault_arn
    if attribute_name == "BackupVaultName":
        return self.backup_vault_name
    raise NotImplementedError(attribute_name)


Vault.physical_resource_id = property(lambda self: self.backup_vault_name)
Vault.is_created = lambda self: True
Vault.get_cfn_attribute = _vault_attribute
Vault.delete = lambda self, account_id, region_name: backup_backends[account_id][region_name].delete_backup_vault(
    self.backup_vault_name
)

# --------------------------------------------------------------------------- 3. recovery points, access policy


def _list_recovery_points_by_backup_vault(self):
    name = self.path.split("/backup-vaults/")[-1].split("/")[0]
    self.backup_backend.describe_backup_vault(name)  # ResourceNotFoundException for an unknown vault
    return json.dumps({"RecoveryPoints": []})


def _delete_backup_vault_access_policy(self):
    name = self.path.split("/backup-vaults/")[-1].split("/")[0]
    self.backup_backend.describe_backup_vault(name)
    return "{}"


BackupResponse.list_recovery_points_by_backup_vault = _list_recovery_points_by_backup_vault
BackupResponse.delete_backup_vault_access_policy = _delete_backup_vault_access_policy
backup_urls.url_paths["{0}/backup-vaults/(?P<name>[^/]+)/recovery-points/?$"] = backup_urls.response.dispatch
backup_urls.url_paths["{0}/backup-vaults/(?P<name>[^/]+)/access-policy$"] = backup_urls.response.dispatch

# --------------------------------------------------------------------------- 4. DBSubnetGroup physical ID

DBSubnetGroup.physical_resource_id = property(lambda self: self.name)
_create_db_instance = DBInstance.create_from_cloudformation_json.__func__


def _create_db_instance_by_name(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = cloudformation_json.get("Properties", {})
    if isinstance(props.get("DBSubnetGroupName"), str):
        props["DBSubnetGroupName"] = rds_backends[account_id][region_name].describe_db_subnet_groups(
            props["DBSubnetGroupName"]
        )[0]
    return _create_db_instance(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


DBInstance.create_from_cloudformation_json = classmethod(_create_db_instance_by_name)

if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])

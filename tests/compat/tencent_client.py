"""The official Tencent Cloud CAM client (tencentcloud-sdk-python-cam 3.1.181, common 3.1.195)
against Steward: the whole user and group lifecycle and its error cases, through TC3-HMAC-SHA256.
Usage: tencent_client.py BASE_URL ADMIN_ID ADMIN_KEY NONE_ID NONE_KEY DELETED_ID DELETED_KEY
(ADMIN: the holder's access key; NONE: a key of a user with the privilege None; DELETED: a key
that was deleted). Prints the users it leaves behind as JSON on its last line."""

import json
import sys

from tencentcloud.cam.v20190116 import cam_client, models
from tencentcloud.common import credential
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
    TencentCloudSDKException,
)
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

base, admin_id, admin_key, none_id, none_key, deleted_id, deleted_key = sys.argv[1:8]
endpoint = base.removeprefix("http://")
STRONG = "Quartz-Meadow-Lantern-77"
OTHER_STRONG = "Copper-Harbor-Violin-19"


def profile():
    return ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=endpoint))


def cam(secret_id, secret_key, region=""):
    return cam_client.CamClient(
        credential.Credential(secret_id, secret_key), region, profile()
    )


def common(secret_id, secret_key, version="2019-01-16"):
    return CommonClient(
        "cam", version, credential.Credential(secret_id, secret_key), "", profile()
    )


def request(model, **fields):
    r = getattr(models, model + "Request")()
    for k, v in fields.items():
        setattr(r, k, v)
    return r


def expect_error(code, call, *args):
    try:
        call(*args)
    except TencentCloudSDKException as e:
        assert e.code == code, f"expected {code}, got {e.code}: {e.message}"
        assert e.requestId, e
        assert e.message, e
        return e.message
    raise AssertionError(f"{call} did not fail with {code}")


admin = cam(admin_id, admin_key, region="ap-guangzhou")
none = cam(none_id, none_key)

# Preset policies.
policies = admin.ListPolicies(request("ListPolicies"))
assert policies.TotalNum == 3, policies
by_name = {p.PolicyName: p for p in policies.List}
assert set(by_name) == {"AdministratorAccess", "QcloudCamFullAccess", "ReadOnlyAccess"}
assert all(p.Type == 2 and p.PolicyId > 0 for p in policies.List)
ADMIN_POLICY = by_name["AdministratorAccess"].PolicyId
CAM_POLICY = by_name["QcloudCamFullAccess"].PolicyId
READ_POLICY = by_name["ReadOnlyAccess"].PolicyId
assert admin.ListPolicies(request("ListPolicies", Scope="Local")).TotalNum == 0
only = admin.ListPolicies(request("ListPolicies", Keyword="readonly"))
assert [p.PolicyName for p in only.List] == ["ReadOnlyAccess"], only

# AddUser with only Name, its one required field, as the SDK's own examples send it: a user
# with no e-mail (who cannot recover a password by mail) and a generated password.
minimal = admin.AddUser(request("AddUser", Name="minimal"))
assert minimal.Name == "minimal" and minimal.Uin > 0 and minimal.Password, minimal
got = admin.GetUser(request("GetUser", Name="minimal"))
assert got.Email == "" and got.Uin == minimal.Uin, got
admin.DeleteUser(request("DeleteUser", Name="minimal"))

# AddUser: a generated password (shown once) and an access key that works.
alice = admin.AddUser(
    request(
        "AddUser",
        Name="alice",
        Remark="On call",
        ConsoleLogin=1,
        UseApi=1,
        Email="alice@example.com",
    )
)
assert alice.Name == "alice" and alice.Uin == alice.Uid and alice.Uin > 0, alice
assert alice.Password and len(alice.Password) >= 16, "a generated password is returned"
assert alice.SecretId.startswith("AKID") and len(alice.SecretId) == 36, alice.SecretId
assert len(alice.SecretKey) == 32
alice_client = cam(alice.SecretId, alice.SecretKey)
me = alice_client.GetUser(request("GetUser", Name="alice"))
assert me.Uin == alice.Uin and me.Remark == "On call" and me.Email == "alice@example.com"
assert me.ConsoleLogin == 1 and me.RecentlyLoginTime == "", me

# Access keys: Alice holds the one AddUser made; an Administrator adds a second for her, a third
# is refused (two per user, as in CAM); made inactive, a key signs nothing until active again.
listed = admin.ListAccessKeys(request("ListAccessKeys", TargetUin=alice.Uin)).AccessKeys
assert [k.AccessKeyId for k in listed] == [alice.SecretId] and listed[0].Status == "Active", listed
second = admin.CreateAccessKey(
    request("CreateAccessKey", TargetUin=alice.Uin, Description="ci-deploy")
).AccessKey
assert second.AccessKeyId.startswith("AKID") and len(second.SecretAccessKey) == 32, second
assert second.Status == "Active" and second.Description == "ci-deploy" and second.CreateTime, second
expect_error(
    "OperationDenied.AccessKeyOverLimit",
    admin.CreateAccessKey,
    request("CreateAccessKey", TargetUin=alice.Uin),
)
second_client = cam(second.AccessKeyId, second.SecretAccessKey)
assert second_client.GetUser(request("GetUser", Name="alice")).Uin == alice.Uin
admin.UpdateAccessKey(
    request("UpdateAccessKey", AccessKeyId=second.AccessKeyId, Status="Inactive", TargetUin=alice.Uin)
)
expect_error("AuthFailure.SecretIdNotFound", second_client.GetUser, request("GetUser", Name="alice"))
statuses = {
    k.AccessKeyId: k.Status
    for k in alice_client.ListAccessKeys(request("ListAccessKeys")).AccessKeys
}
assert statuses == {alice.SecretId: "Active", second.AccessKeyId: "Inactive"}, statuses
alice_client.UpdateAccessKey(
    request("UpdateAccessKey", AccessKeyId=second.AccessKeyId, Status="Active")
)
assert second_client.GetUser(request("GetUser", Name="alice")).Uin == alice.Uin
expect_error(
    "InvalidParameter.ParamError",
    admin.UpdateAccessKey,
    request("UpdateAccessKey", AccessKeyId=second.AccessKeyId, Status="Paused", TargetUin=alice.Uin),
)
expect_error(
    "ResourceNotFound.SecretNotExist",
    admin.DeleteAccessKey,
    request("DeleteAccessKey", AccessKeyId=second.AccessKeyId),
)
alice_client.DeleteAccessKey(request("DeleteAccessKey", AccessKeyId=second.AccessKeyId))
expect_error("AuthFailure.SecretIdNotFound", second_client.GetUser, request("GetUser", Name="alice"))
assert [k.AccessKeyId for k in admin.ListAccessKeys(request("ListAccessKeys", TargetUin=alice.Uin)).AccessKeys] == [alice.SecretId]

# A chosen password, to be changed at the next login; no key unless asked.
bob = admin.AddUser(
    request(
        "AddUser",
        Name="bob",
        Password=STRONG,
        NeedResetPassword=1,
        ConsoleLogin=1,
        UseApi=0,
        Email="bob@example.com",
    )
)
assert bob.Password is None and bob.SecretId is None and bob.SecretKey is None, bob
carol = admin.AddUser(
    request("AddUser", Name="carol", Password=OTHER_STRONG, Email="carol@example.com")
)
assert carol.Password is None, carol
# Without console login: a password nobody is told.
dave = admin.AddUser(
    request("AddUser", Name="dave", ConsoleLogin=0, UseApi=1, Email="dave@example.com")
)
assert dave.Password is None and dave.SecretId, dave
assert admin.GetUser(request("GetUser", Name="dave")).ConsoleLogin == 0
# Kept out of the panel, dave still works through his key.
assert cam(dave.SecretId, dave.SecretKey).GetUser(request("GetUser", Name="dave")).Uin == dave.Uin

# Refusals of AddUser: nothing is created by any of them.
expect_error(
    "InvalidParameter.SubUserNameInUse",
    admin.AddUser,
    request("AddUser", Name="CAROL", Email="c2@example.com", Password=STRONG),
)
expect_error(
    "InvalidParameter.UserNameIllegal",
    admin.AddUser,
    request("AddUser", Name="not a name!", Email="x@example.com"),
)
message = expect_error(
    "InvalidParameter.PasswordViolatedRules",
    admin.AddUser,
    request("AddUser", Name="erin", Email="erin@example.com", Password="password1"),
)
assert "password1" not in message, message
# A chosen password and no e-mail: CAM allows it.
frank = admin.AddUser(request("AddUser", Name="frank", Password=STRONG))
assert frank.Name == "frank" and not frank.Password, "a chosen password is not echoed"
admin.DeleteUser(request("DeleteUser", Name="frank"))
expect_error(
    "InvalidParameter.ParamError",
    admin.AddUser,
    request("AddUser", Name="frank", Email="not-an-email"),
)
expect_error(
    "UnsupportedOperation",
    admin.AddUser,
    request("AddUser", Name="gina", Email="g@example.com", PhoneNum="12345678"),
)
# Only an Administrator manages another user's keys.
expect_error(
    "AuthFailure.UnauthorizedOperation",
    none.CreateAccessKey,
    request("CreateAccessKey", TargetUin=alice.Uin),
)
# Keys of users without the Administrator privilege read, and change nothing.
for client in (none, alice_client):
    expect_error(
        "AuthFailure.UnauthorizedOperation",
        client.AddUser,
        request("AddUser", Name="mallory", Email="m@example.com", UseApi=1),
    )
    expect_error(
        "AuthFailure.UnauthorizedOperation",
        client.DeleteUser,
        request("DeleteUser", Name="carol", Force=1),
    )
    assert {u.Name for u in client.ListUsers(request("ListUsers")).Data} >= {"carol"}
for name in ("erin", "frank", "gina", "mallory"):
    expect_error(
        "ResourceNotFound.UserNotExist", admin.GetUser, request("GetUser", Name=name)
    )

# GetUser, ListUsers, UpdateUser.
got = admin.GetUser(request("GetUser", Name="Bob"))
assert got.Name == "bob" and got.Uin == bob.Uin and got.Email == "bob@example.com", got
listed = admin.ListUsers(request("ListUsers"))
names = {u.Name: u for u in listed.Data}
assert set(names) == {"alice", "bob", "carol", "dave", "nina"}, sorted(names)
assert names["carol"].Uid == carol.Uin and names["carol"].CreateTime, names["carol"]
admin.UpdateUser(
    request("UpdateUser", Name="carol", Remark="Night shift", Email="carol@new.example")
)
got = admin.GetUser(request("GetUser", Name="carol"))
assert got.Remark == "Night shift" and got.Email == "carol@new.example", got
admin.UpdateUser(request("UpdateUser", Name="carol", Remark="Day shift"))
got = admin.GetUser(request("GetUser", Name="carol"))
assert got.Remark == "Day shift" and got.Email == "carol@new.example", got
# A password an Administrator chooses, held to the policy; NeedResetPassword goes with one.
expect_error(
    "InvalidParameter.PasswordViolatedRules",
    admin.UpdateUser,
    request("UpdateUser", Name="dave", Password="password1"),
)
expect_error(
    "InvalidParameter.ParamError",
    admin.UpdateUser,
    request("UpdateUser", Name="dave", NeedResetPassword=1),
)
admin.UpdateUser(request("UpdateUser", Name="dave", Password=STRONG, NeedResetPassword=0))
assert admin.GetUser(request("GetUser", Name="dave")).ConsoleLogin == 0, "still kept out"
# ConsoleLogin read back as set.
admin.UpdateUser(request("UpdateUser", Name="carol", ConsoleLogin=0))
assert admin.GetUser(request("GetUser", Name="carol")).ConsoleLogin == 0
admin.UpdateUser(request("UpdateUser", Name="carol", ConsoleLogin=1))
assert admin.GetUser(request("GetUser", Name="carol")).ConsoleLogin == 1
expect_error(
    "InvalidParameter.ParamError",
    admin.UpdateUser,
    request("UpdateUser", Name="carol", Email="not-an-email"),
)
expect_error(
    "ResourceNotFound.UserNotExist",
    admin.UpdateUser,
    request("UpdateUser", Name="nobody", Remark="x"),
)

# Groups.
ops = admin.CreateGroup(request("CreateGroup", GroupName="ops", Remark="Operations"))
assert ops.GroupId > 0, ops
expect_error(
    "InvalidParameter.GroupNameInUse",
    admin.CreateGroup,
    request("CreateGroup", GroupName="OPS"),
)
expect_error(
    "AuthFailure.UnauthorizedOperation",
    none.CreateGroup,
    request("CreateGroup", GroupName="none-made"),
)
groups = admin.ListGroups(request("ListGroups"))
group_ids = {g.GroupName: g.GroupId for g in groups.GroupInfo}
assert groups.TotalNum == 4, groups
assert set(group_ids) == {"ADMIN", "DEFAULT", "UNPRIVILEGED", "ops"}, group_ids
assert group_ids["ops"] == ops.GroupId
found = admin.ListGroups(request("ListGroups", Keyword="op"))
assert [g.GroupName for g in found.GroupInfo] == ["ops"], found
assert found.GroupInfo[0].Remark == "Operations" and found.GroupInfo[0].CreateTime
paged = none.ListGroups(request("ListGroups", Page=2, Rp=3))
assert paged.TotalNum == 4 and len(paged.GroupInfo) == 1, paged

# AddUserToGroup moves users (by Uid or Uin) into a group.
info = models.GroupIdOfUidInfo()
info.GroupId = ops.GroupId
info.Uid = carol.Uin
info2 = models.GroupIdOfUidInfo()
info2.GroupId = group_ids["DEFAULT"]
info2.Uin = dave.Uin
admin.AddUserToGroup(request("AddUserToGroup", Info=[info, info2]))
unknown_group = models.GroupIdOfUidInfo()
unknown_group.GroupId = 999999
unknown_group.Uid = carol.Uin
expect_error(
    "ResourceNotFound.GroupNotExist",
    admin.AddUserToGroup,
    request("AddUserToGroup", Info=[unknown_group]),
)
unknown_user = models.GroupIdOfUidInfo()
unknown_user.GroupId = ops.GroupId
unknown_user.Uid = 999999
expect_error(
    "ResourceNotFound.UserNotExist",
    admin.AddUserToGroup,
    request("AddUserToGroup", Info=[unknown_user]),
)

# AttachUserPolicy: a preset policy is a privilege. Changing alice's privilege ends her key.
admin.AttachUserPolicy(
    request("AttachUserPolicy", PolicyId=ADMIN_POLICY, AttachUin=bob.Uin)
)
admin.AttachUserPolicy(
    request("AttachUserPolicy", PolicyId=CAM_POLICY, AttachUin=alice.Uin)
)
expect_error(
    "AuthFailure.SecretIdNotFound",
    alice_client.GetUser,
    request("GetUser", Name="alice"),
)
expect_error(
    "InvalidParameter.PolicyIdNotExist",
    admin.AttachUserPolicy,
    request("AttachUserPolicy", PolicyId=999, AttachUin=bob.Uin),
)
expect_error(
    "ResourceNotFound.UserNotExist",
    admin.AttachUserPolicy,
    request("AttachUserPolicy", PolicyId=READ_POLICY, AttachUin=999999),
)
expect_error(
    "AuthFailure.UnauthorizedOperation",
    none.AttachUserPolicy,
    request("AttachUserPolicy", PolicyId=ADMIN_POLICY, AttachUin=carol.Uin),
)

# AttachGroupPolicy: a custom group takes the policy's privilege; built-in groups keep theirs.
admin.AttachGroupPolicy(
    request("AttachGroupPolicy", PolicyId=READ_POLICY, AttachGroupId=ops.GroupId)
)
admin.AttachGroupPolicy(
    request("AttachGroupPolicy", PolicyId=ADMIN_POLICY, AttachGroupId=group_ids["ADMIN"])
)
expect_error(
    "AuthFailure.UnauthorizedOperation",
    none.AttachGroupPolicy,
    request("AttachGroupPolicy", PolicyId=ADMIN_POLICY, AttachGroupId=ops.GroupId),
)
admin.AttachGroupPolicy(
    request("AttachGroupPolicy", PolicyId=ADMIN_POLICY, AttachGroupId=ops.GroupId)
)
message = expect_error(
    "UnsupportedOperation",
    admin.AttachGroupPolicy,
    request(
        "AttachGroupPolicy", PolicyId=READ_POLICY, AttachGroupId=group_ids["ADMIN"]
    ),
)
assert "ADMIN" in message, message
expect_error(
    "ResourceNotFound.GroupNotExist",
    admin.AttachGroupPolicy,
    request("AttachGroupPolicy", PolicyId=READ_POLICY, AttachGroupId=999999),
)

# DeleteUser: a user with keys goes only when forced.
expect_error(
    "OperationDenied.HaveKeys",
    admin.DeleteUser,
    request("DeleteUser", Name="alice"),
)
admin.DeleteUser(request("DeleteUser", Name="alice", Force=1))
admin.AddUser(request("AddUser", Name="henry", Email="henry@example.com"))
admin.DeleteUser(request("DeleteUser", Name="henry"))
for name in ("alice", "henry", "nobody"):
    expect_error(
        "ResourceNotFound.UserNotExist", admin.GetUser, request("GetUser", Name=name)
    )
expect_error(
    "ResourceNotFound.UserNotExist",
    admin.DeleteUser,
    request("DeleteUser", Name="henry", Force=1),
)

# Credentials: a wrong SecretKey, a deleted, unknown or malformed SecretId.
expect_error(
    "AuthFailure.SignatureFailure",
    cam(admin_id, "x" * 32).ListUsers,
    request("ListUsers"),
)
expect_error(
    "AuthFailure.SecretIdNotFound",
    cam(deleted_id, deleted_key).ListUsers,
    request("ListUsers"),
)
expect_error(
    "AuthFailure.SecretIdNotFound",
    cam("AKID" + "Z" * 32, admin_key).ListUsers,
    request("ListUsers"),
)
expect_error(
    "AuthFailure.InvalidSecretId",
    cam("not-a-secret-id", admin_key).ListUsers,
    request("ListUsers"),
)

# The protocol: unknown actions and parameters, wrong types, another version.
expect_error("InvalidAction", common(admin_id, admin_key).call_json, "DescribeNothing", {})
expect_error(
    "NoSuchVersion",
    common(admin_id, admin_key, version="2017-03-12").call_json,
    "ListUsers",
    {},
)
expect_error(
    "UnknownParameter",
    common(admin_id, admin_key).call_json,
    "GetUser",
    {"Name": "carol", "Secret": "hunter2"},
)
message = expect_error(
    "InvalidParameter",
    common(admin_id, admin_key).call_json,
    "GetUser",
    {"Name": 5},
)
assert "Name" in message, message
expect_error(
    "MissingParameter",
    common(admin_id, admin_key).call_json,
    "GetUser",
    {},
)

final = admin.ListUsers(request("ListUsers"))
print(json.dumps(sorted(u.Name for u in final.Data)))

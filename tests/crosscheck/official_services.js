'use strict'
// Turns one service of our JSON form (tests/vectors/extra.json "services",
// crosscheck_gen's access_token2_007 lines) into the npm agora-token
// package's own Service object, so vectors and the cross-check rebuild
// AccessToken2 tokens with Agora's classes. `lib` is the package's
// src/AccessToken2 module.
//
// Node's ServiceApaas turns role 0 into -1 (`role || -1`), where the C++ and
// Python references keep 0 (docs/token-format.md); the role is set after
// construction so the rebuild follows C++/Python.

function officialService(lib, s) {
    let service
    switch (s.type) {
        case 1: service = new lib.ServiceRtc(s.channel_name, s.account); break
        case 2: service = new lib.ServiceRtm(s.user_id); break
        case 3: service = new lib.ServiceStreaming(s.channel_name, s.account); break
        case 4: service = new lib.ServiceFpa(); break
        case 5: service = new lib.ServiceChat(s.user_id); break
        case 6: service = new lib.ServiceFCdn(s.channel_name, s.account); break
        case 7:
            service = new lib.ServiceApaas(s.room_uuid, s.user_uuid)
            service.__role = 'role' in s ? s.role : -1
            break
        case 8: service = new lib.ServiceRtm2(s.user_id, officialPermissions(lib, s.rtm2_resources || [])); break
        case 9: service = new lib.ServiceConvoAI(); break
        case 10: service = new lib.ServiceStt(); break
        default: throw new Error(`no service type ${s.type}`)
    }
    for (const [privilege, expire] of s.privileges) service.add_privilege(privilege, expire)
    return service
}

// Our rtm2_resources list as the package's Rtm2Permissions.
function officialPermissions(lib, resources) {
    const permissions = new lib.Rtm2Permissions()
    for (const r of resources) {
        for (const p of r.permissions) permissions.add(r.resource_type, p.permission_type, p.names)
    }
    return permissions
}

// The package's builders draw salt and issue time themselves. This pins both
// on every AccessToken2 they build (through AccessToken2.prototype.build,
// which every 007 builder calls) and returns pinned(values, build), which
// runs build() with values.issueTs and values.salt in force.
function pinAccessToken2(AccessToken2) {
    let pinned = null
    const officialBuild = AccessToken2.prototype.build
    AccessToken2.prototype.build = function () {
        if (pinned) {
            this.issueTs = pinned.issueTs
            this.salt = pinned.salt
        }
        return officialBuild.call(this)
    }
    return (values, build) => {
        pinned = values
        try {
            return build()
        } finally {
            pinned = null
        }
    }
}

module.exports = { officialService, officialPermissions, pinAccessToken2 }

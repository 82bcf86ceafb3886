// End-to-end test of the Go client (clients/go) against the real
// agora-token-server binary. TestMain starts the server on 127.0.0.1:0 with a
// temporary keyring, reads the bound port from its "serving" log line, and
// stops it with SIGTERM (then SIGKILL) at the end. Tokens built through
// tokenclient are checked by Agora's official npm package via
// tests/crosscheck/verify_with_agora_token.js.
//
// run.sh copies this file into the GOPATH workspace that clients/go/gen.sh
// lays out, and sets:
//
//	AGORA_TOKEN_SERVER     the server binary
//	AGORA_TOKEN_REPO_ROOT  the repository root
//	AGORA_TOKEN_NODE       Node.js, for the verifier
//	AGORA_TOKEN_GO_EXAMPLE the built clients/go/example binary
package e2e

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/agora-token-service/clients/go/tokenclient"
	"github.com/agora-token-service/clients/go/tokenv1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The public sample app of deploy/dev/keyring.textproto, served so that the
// example (which uses it) works against the test server.
const (
	devAppID          = "970CA35de60c44645bbae8a215061b33"
	devAppCertificate = "5CFd2fd1755d40ecb72977518be15d3b"
	serverStartLimit  = 15 * time.Second
	serverStopLimit   = 10 * time.Second
	subprocessLimit   = 60 * time.Second
)

var (
	target         string
	appID          string
	appCertificate string
	workDir        string
)

func randomHex(bytes int) string {
	buffer := make([]byte, bytes)
	if _, err := rand.Read(buffer); err != nil {
		panic(err)
	}
	return hex.EncodeToString(buffer)
}

func requireEnv(name string) string {
	value := os.Getenv(name)
	if value == "" {
		fmt.Fprintf(os.Stderr, "%s is not set (run tests/e2e/go/run.sh)\n", name)
		os.Exit(1)
	}
	return value
}

// serverProcess is agora-token-server as a child process.
type serverProcess struct {
	command *exec.Cmd
	logPath string
	exited  chan error
}

func startServer(binary, keyring string) (*serverProcess, error) {
	logPath := filepath.Join(workDir, "server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	command := exec.Command(binary, "--listen=127.0.0.1:0", "--keyring="+keyring,
		"--compression=compatible", "--drain_timeout_ms=2000")
	command.Stderr = logFile
	if err := command.Start(); err != nil {
		return nil, err
	}
	server := &serverProcess{command: command, logPath: logPath, exited: make(chan error, 1)}
	go func() { server.exited <- command.Wait() }()
	return server, nil
}

func (s *serverProcess) log() string {
	text, _ := os.ReadFile(s.logPath)
	return string(text)
}

// waitForPort polls the log for {"msg":"serving",...,"port":"N"}.
func (s *serverProcess) waitForPort() (int, error) {
	deadline := time.Now().Add(serverStartLimit)
	for time.Now().Before(deadline) {
		scanner := bufio.NewScanner(strings.NewReader(s.log()))
		for scanner.Scan() {
			var record map[string]interface{}
			if json.Unmarshal(scanner.Bytes(), &record) != nil || record["msg"] != "serving" {
				continue
			}
			port, err := strconv.Atoi(fmt.Sprint(record["port"]))
			if err != nil || port <= 0 {
				return 0, fmt.Errorf("bad port in serving line: %s", scanner.Text())
			}
			return port, nil
		}
		select {
		case err := <-s.exited:
			s.exited <- err
			return 0, fmt.Errorf("server exited (%v) before serving; log:\n%s", err, s.log())
		case <-time.After(50 * time.Millisecond):
		}
	}
	return 0, fmt.Errorf("server did not log \"serving\" within %v; log:\n%s", serverStartLimit, s.log())
}

// stop sends SIGTERM (drain) and waits, then SIGKILL if it hangs.
func (s *serverProcess) stop() error {
	_ = s.command.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.exited:
		return err
	case <-time.After(serverStopLimit):
		_ = s.command.Process.Kill()
		<-s.exited
		return fmt.Errorf("server ignored SIGTERM for %v and was killed", serverStopLimit)
	}
}

func TestMain(m *testing.M) {
	binary := requireEnv("AGORA_TOKEN_SERVER")
	requireEnv("AGORA_TOKEN_REPO_ROOT")
	requireEnv("AGORA_TOKEN_NODE")
	requireEnv("AGORA_TOKEN_GO_EXAMPLE")

	var err error
	workDir, err = os.MkdirTemp("", "agora-token-go-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// A fresh app per run, its certificate in a file as production does.
	appID = randomHex(16)
	appCertificate = randomHex(16)
	keyring := filepath.Join(workDir, "keyring.textproto")
	keyringText := fmt.Sprintf("apps {\n  app_id: %q\n  primary_certificate { path: \"test_app.certificate\" }\n}\n"+
		"apps {\n  app_id: %q\n  primary_certificate { value: %q }\n}\n", appID, devAppID, devAppCertificate)
	if err := os.WriteFile(filepath.Join(workDir, "test_app.certificate"), []byte(appCertificate+"\n"), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(keyring, []byte(keyringText), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}

	server, err := startServer(binary, keyring)
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the server:", err)
		os.Exit(1)
	}
	exitCode := 1
	port, err := server.waitForPort()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	} else {
		target = fmt.Sprintf("127.0.0.1:%d", port)
		exitCode = m.Run()
	}
	if err := server.stop(); err != nil {
		fmt.Fprintln(os.Stderr, "stopping the server:", err)
		exitCode = 1
	}
	os.RemoveAll(workDir)
	os.Exit(exitCode)
}

func newClient(t *testing.T) *tokenclient.Client {
	t.Helper()
	client, err := tokenclient.New(target, tokenclient.WithTimeout(10*time.Second))
	if err != nil {
		t.Fatalf("tokenclient.New: %v", err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

// issued is what every build response has in common.
type issued interface {
	GetToken() string
	GetTokenVersion() tokenv1.TokenVersion
	GetIssueTs() uint32
	GetSalt() uint32
	GetExpireTs() uint32
	GetPrivilegeExpiries() []*tokenv1.PrivilegeExpiry
}

// verifierRecord is one line of verify_with_agora_token.js's input: the
// inputs we sent plus what the server says it built.
func verifierRecord(shape, kind string, response issued, inputs map[string]interface{}) map[string]interface{} {
	version := map[tokenv1.TokenVersion]string{
		tokenv1.TokenVersion_TOKEN_VERSION_006: "006", tokenv1.TokenVersion_TOKEN_VERSION_007: "007",
	}[response.GetTokenVersion()]
	record := map[string]interface{}{
		"seed": "go-e2e", "case": shape, "shape": shape, "kind": kind,
		"app_id": appID, "app_certificate": appCertificate,
		"token": response.GetToken(), "issuance": "new",
		"issue_ts": response.GetIssueTs(), "salt": response.GetSalt(),
		"built": map[string]interface{}{
			"version": version, "salt": response.GetSalt(),
			"issue_ts": response.GetIssueTs(), "expire_ts": response.GetExpireTs(),
		},
	}
	if strings.HasSuffix(kind, "007") {
		record["compression"] = "compatible"
	}
	for key, value := range inputs {
		record[key] = value
	}
	return record
}

// runVerifier returns the verifier's exit code, its last line and its output.
func runVerifier(t *testing.T, records []map[string]interface{}) (int, string, string) {
	t.Helper()
	var lines strings.Builder
	for _, record := range records {
		encoded, err := json.Marshal(record)
		if err != nil {
			t.Fatal(err)
		}
		lines.Write(encoded)
		lines.WriteByte('\n')
	}
	path := filepath.Join(workDir, "tokens-"+randomHex(4)+".jsonl")
	if err := os.WriteFile(path, []byte(lines.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(path)
	ctx, cancel := context.WithTimeout(context.Background(), subprocessLimit)
	defer cancel()
	verifier := filepath.Join(os.Getenv("AGORA_TOKEN_REPO_ROOT"), "tests", "crosscheck", "verify_with_agora_token.js")
	output, err := exec.CommandContext(ctx, os.Getenv("AGORA_TOKEN_NODE"), verifier, path).CombinedOutput()
	exitCode := 0
	if err != nil {
		exitError, isExit := err.(*exec.ExitError)
		if !isExit {
			t.Fatalf("running the verifier: %v", err)
		}
		exitCode = exitError.ExitCode()
	}
	outputLines := strings.Split(strings.TrimSpace(string(output)), "\n")
	return exitCode, outputLines[len(outputLines)-1], string(output)
}

func TestRtcTokensPassAgoraOfficialPackage(t *testing.T) {
	client := newClient(t)
	ctx := context.Background()
	now := uint32(time.Now().Unix())
	var records []map[string]interface{}

	uid006, err := client.BuildRtcTokenWithUid(ctx, &tokenv1.BuildRtcTokenWithUidRequest{
		AppId: appID, ChannelName: "go e2e!", Uid: 2882341273, Role: tokenv1.Role_ROLE_PUBLISHER,
		TokenVersion: tokenv1.TokenVersion_TOKEN_VERSION_006,
	})
	if err != nil {
		t.Fatalf("006 with uid: %v", err)
	}
	records = append(records, verifierRecord("rtc006_uid", "rtc006", uid006, map[string]interface{}{
		"channel_name": "go e2e!", "uid": 2882341273, "role": 1, "privilege_expired_ts": 0}))

	expiredTs := now + 3600
	account006, err := client.BuildRtcTokenWithAccount(ctx, &tokenv1.BuildRtcTokenWithAccountRequest{
		AppId: appID, ChannelName: "room[1]", Account: "user@example.com", Role: tokenv1.Role_ROLE_SUBSCRIBER,
		PrivilegeExpiredTs: expiredTs, TokenVersion: tokenv1.TokenVersion_TOKEN_VERSION_006,
	})
	if err != nil {
		t.Fatalf("006 with account: %v", err)
	}
	records = append(records, verifierRecord("rtc006_account", "rtc006", account006, map[string]interface{}{
		"channel_name": "room[1]", "account": "user@example.com", "role": 2, "privilege_expired_ts": expiredTs}))

	uid007, err := client.BuildRtcTokenWithUid(ctx, &tokenv1.BuildRtcTokenWithUidRequest{
		AppId: appID, ChannelName: "go e2e!", Uid: 12345, Role: tokenv1.Role_ROLE_PUBLISHER,
		TokenVersion: tokenv1.TokenVersion_TOKEN_VERSION_007, TokenExpireSeconds: 7200,
	})
	if err != nil {
		t.Fatalf("007 with uid: %v", err)
	}
	records = append(records, verifierRecord("rtc007_uid", "rtc007", uid007, map[string]interface{}{
		"channel_name": "go e2e!", "uid": 12345, "role": 1, "privilege_expire": 0, "token_expire": 7200,
		"with_rtm": false}))

	// With token_expire_seconds 0 the token expires at privilege_expired_ts
	// too: both become spans after the issue time.
	expiredTs = now + 1800
	account007, err := client.BuildRtcTokenWithAccount(ctx, &tokenv1.BuildRtcTokenWithAccountRequest{
		AppId: appID, ChannelName: "room[1]", Account: "Alice_01", Role: tokenv1.Role_ROLE_SUBSCRIBER,
		PrivilegeExpiredTs: expiredTs, TokenVersion: tokenv1.TokenVersion_TOKEN_VERSION_007,
	})
	if err != nil {
		t.Fatalf("007 with account: %v", err)
	}
	span := expiredTs - account007.GetIssueTs()
	records = append(records, verifierRecord("rtc007_account", "rtc007", account007, map[string]interface{}{
		"channel_name": "room[1]", "account": "Alice_01", "role": 2, "privilege_expire": span,
		"token_expire": span, "with_rtm": false}))

	for _, record := range records {
		want := record["kind"].(string)[3:]
		if !strings.HasPrefix(record["token"].(string), want) {
			t.Errorf("%s: token does not start with %s", record["shape"], want)
		}
	}
	exitCode, summary, output := runVerifier(t, records)
	if summary != fmt.Sprintf("%d passed, 0 failed", len(records)) || exitCode != 0 {
		t.Fatalf("verifier: exit %d, summary %q; output:\n%s", exitCode, summary, output)
	}

	// The same check must notice a damaged token, or it proves nothing.
	damaged := map[string]interface{}{}
	for key, value := range records[2] {
		damaged[key] = value
	}
	token := []byte(damaged["token"].(string))
	middle := len(token) / 2
	if token[middle] == 'A' {
		token[middle] = 'B'
	} else {
		token[middle] = 'A'
	}
	damaged["token"] = string(token)
	exitCode, summary, output = runVerifier(t, []map[string]interface{}{records[0], records[1], damaged, records[3]})
	if summary != "3 passed, 1 failed" || exitCode == 0 || !strings.Contains(output, "case=rtc007_uid ") {
		t.Fatalf("verifier accepted a damaged token: exit %d, summary %q; output:\n%s", exitCode, summary, output)
	}
}

func TestInvalidChannelNameIsFieldViolation(t *testing.T) {
	client := newClient(t)
	_, err := client.BuildRtcTokenWithUid(context.Background(), &tokenv1.BuildRtcTokenWithUidRequest{
		AppId: appID, ChannelName: "bad*name", Uid: 1, TokenVersion: tokenv1.TokenVersion_TOKEN_VERSION_007,
	})
	if err == nil {
		t.Fatal("a channel name with '*' was accepted")
	}
	if code := status.Code(err); code != codes.InvalidArgument {
		t.Fatalf("code %v, want InvalidArgument (%v)", code, err)
	}
	violations := tokenclient.FieldViolations(err)
	found := false
	for _, violation := range violations {
		if violation.GetDescription() == "" {
			t.Errorf("violation of %q has no description", violation.GetField())
		}
		found = found || violation.GetField() == "channel_name"
	}
	if !found {
		t.Fatalf("no field violation names channel_name: %v (%v)", violations, err)
	}
	if strings.Contains(err.Error(), appCertificate) {
		t.Fatal("the error message contains the app certificate")
	}
}

func TestBatchItemErrorCarriesFieldViolation(t *testing.T) {
	client := newClient(t)
	response, err := client.BuildTokens(context.Background(), &tokenv1.BuildTokensRequest{
		Items: []*tokenv1.BuildTokensRequestItem{
			{Request: &tokenv1.BuildTokensRequestItem_RtcWithAccount{RtcWithAccount: &tokenv1.BuildRtcTokenWithAccountRequest{
				AppId: appID, ChannelName: "fine", Account: "erin"}}},
			{Request: &tokenv1.BuildTokensRequestItem_RtcWithUid{RtcWithUid: &tokenv1.BuildRtcTokenWithUidRequest{
				AppId: appID, ChannelName: "bad*name", Uid: 5}}},
		},
	})
	if err != nil {
		t.Fatalf("BuildTokens: %v", err)
	}
	if len(response.GetResults()) != 2 {
		t.Fatalf("%d results, want 2", len(response.GetResults()))
	}
	if err := tokenclient.ResultError(response.GetResults()[0]); err != nil || response.GetResults()[0].GetToken().GetToken() == "" {
		t.Fatalf("first item: error %v, token %q", err, response.GetResults()[0].GetToken().GetToken())
	}
	itemError := tokenclient.ResultError(response.GetResults()[1])
	if status.Code(itemError) != codes.InvalidArgument {
		t.Fatalf("second item: %v, want InvalidArgument", itemError)
	}
	violations := tokenclient.FieldViolations(itemError)
	if len(violations) == 0 || violations[0].GetField() != "channel_name" {
		t.Fatalf("second item's violations %v do not name channel_name", violations)
	}
}

func TestExampleBuildsAValidToken(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), subprocessLimit)
	defer cancel()
	output, err := exec.CommandContext(ctx, os.Getenv("AGORA_TOKEN_GO_EXAMPLE"), target).Output()
	if err != nil {
		t.Fatalf("example: %v", err)
	}
	token := strings.TrimSpace(string(output))
	if !strings.HasPrefix(token, "007") {
		t.Fatalf("example printed %q, want a 007 token", token)
	}
	decoded, err := newClient(t).DecodeToken(context.Background(), &tokenv1.DecodeTokenRequest{Token: token})
	if err != nil {
		t.Fatalf("DecodeToken: %v", err)
	}
	if decoded.GetAppId() != devAppID || decoded.GetSignature() != tokenv1.SignatureState_SIGNATURE_STATE_VALID {
		t.Fatalf("decoded app %q signature %v", decoded.GetAppId(), decoded.GetSignature())
	}
	services := decoded.GetToken007().GetServices()
	if len(services) == 0 || services[0].GetChannelName() != "demo-channel" || services[0].GetAccount() != "2882341273" {
		t.Fatalf("decoded services %v", services)
	}
	if got := decoded.GetExpireTs() - decoded.GetIssueTs(); got != 3600 {
		t.Fatalf("token lives %d s, want 3600", got)
	}
}

// rtm2Resources are read and write on two message channels and read on one
// user; rtm2Record is the same in the verifier's form.
var (
	rtm2Resources = []*tokenv1.Rtm2Resource{
		{ResourceType: 0, Permissions: []*tokenv1.Rtm2Permission{
			{PermissionType: 0, Names: []string{"ch-a", "ch-b"}}, {PermissionType: 1, Names: []string{"ch-a"}}}},
		{ResourceType: 4, Permissions: []*tokenv1.Rtm2Permission{{PermissionType: 0, Names: []string{"peer-1"}}}},
	}
	rtm2Record = []map[string]interface{}{
		{"resource_type": 0, "permissions": []map[string]interface{}{
			{"permission_type": 0, "names": []string{"ch-a", "ch-b"}}, {"permission_type": 1, "names": []string{"ch-a"}}}},
		{"resource_type": 4, "permissions": []map[string]interface{}{{"permission_type": 0, "names": []string{"peer-1"}}}},
	}
)

// accessTokenGrants are BuildAccessToken's services out of type order (the
// token sorts them).
func accessTokenGrants() []*tokenv1.ServiceGrant {
	privileges := func(pairs ...uint32) []*tokenv1.PrivilegeGrant {
		var grants []*tokenv1.PrivilegeGrant
		for i := 0; i < len(pairs); i += 2 {
			grants = append(grants, &tokenv1.PrivilegeGrant{Privilege: pairs[i], ExpireSeconds: pairs[i+1]})
		}
		return grants
	}
	return []*tokenv1.ServiceGrant{
		{Type: tokenv1.ServiceType_SERVICE_TYPE_RTM2, Privileges: privileges(1, 0), UserId: "multi-user", Rtm2Resources: rtm2Resources},
		{Type: tokenv1.ServiceType_SERVICE_TYPE_RTC, Privileges: privileges(1, 0, 2, 600), ChannelName: "multi", Account: "42"},
		{Type: tokenv1.ServiceType_SERVICE_TYPE_CONVO_AI},
		{Type: tokenv1.ServiceType_SERVICE_TYPE_FCDN, Privileges: privileges(1, 0), ChannelName: "cdn", Account: "alice"},
		{Type: tokenv1.ServiceType_SERVICE_TYPE_STREAMING, Privileges: privileges(1, 0, 2, 300), ChannelName: "live"},
		{Type: tokenv1.ServiceType_SERVICE_TYPE_APAAS, Privileges: privileges(2, 0), UserUuid: "u-1"},
		{Type: tokenv1.ServiceType_SERVICE_TYPE_RTM, Privileges: privileges(1, 1200), UserId: "multi-user"},
	}
}

// serviceRecords are grants in the verifier's form.
func serviceRecords(grants []*tokenv1.ServiceGrant) []map[string]interface{} {
	var records []map[string]interface{}
	for _, grant := range grants {
		privileges := [][]uint32{}
		for _, privilege := range grant.GetPrivileges() {
			privileges = append(privileges, []uint32{privilege.GetPrivilege(), privilege.GetExpireSeconds()})
		}
		resources := []map[string]interface{}{}
		if len(grant.GetRtm2Resources()) > 0 {
			resources = rtm2Record
		}
		records = append(records, map[string]interface{}{
			"type": int32(grant.GetType()), "privileges": privileges, "channel_name": grant.GetChannelName(),
			"account": grant.GetAccount(), "user_id": grant.GetUserId(), "room_uuid": grant.GetRoomUuid(),
			"user_uuid": grant.GetUserUuid(), "rtm2_resources": resources,
		})
	}
	return records
}

// Per-privilege lifetimes, and the same in the verifier's form.
var (
	rtcExpires = &tokenv1.RtcPrivilegeExpires{JoinChannelPrivilegeExpire: 3600, PubAudioPrivilegeExpire: 1800,
		PubVideoPrivilegeExpire: 900}
	rtcExpiresRecord   = map[string]uint32{"join_channel": 3600, "publish_audio": 1800, "publish_video": 900, "publish_data_stream": 0}
	noRtcExpiresRecord = map[string]uint32{"join_channel": 0, "publish_audio": 0, "publish_video": 0, "publish_data_stream": 0}
)

// builtToken is one token of buildNewKinds: the response and its verifier
// record.
type builtToken struct {
	response issued
	record   map[string]interface{}
}

// buildNewKinds builds every token kind of issue 15 through its client
// method, and some through BuildTokens.
func buildNewKinds(t *testing.T) map[string]builtToken {
	t.Helper()
	client := newClient(t)
	ctx := context.Background()
	built := map[string]builtToken{}
	keep := func(shape, kind string, response issued, err error, inputs map[string]interface{}) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", shape, err)
		}
		built[shape] = builtToken{response, verifierRecord(shape, kind, response, inputs)}
	}

	accessToken, err := client.BuildAccessToken(ctx, &tokenv1.BuildAccessTokenRequest{
		AppId: appID, Services: accessTokenGrants(), TokenExpireSeconds: 3600})
	keep("access_token", "access_token2_007", accessToken, err, map[string]interface{}{
		"services": serviceRecords(accessTokenGrants()), "token_expire": 3600})
	fpa, err := client.BuildFpaToken(ctx, &tokenv1.BuildFpaTokenRequest{AppId: appID})
	keep("fpa", "fpa007", fpa, err, map[string]interface{}{"token_expire": 86400})
	roomUser, err := client.BuildRoomUserToken(ctx, appID, "room-42", "teacher-1", 1, 1800)
	keep("room_user", "apaas007_room_user", roomUser, err, map[string]interface{}{
		"room_uuid": "room-42", "user_uuid": "teacher-1", "role": 1, "token_expire": 1800})
	apaasUser, err := client.BuildUserToken(ctx, appID, "student-7", 0)
	keep("apaas_user", "apaas007_user", apaasUser, err, map[string]interface{}{"user_uuid": "student-7", "token_expire": 0})
	apaasApp, err := client.BuildAppToken(ctx, appID, 600)
	keep("apaas_app", "apaas007_app", apaasApp, err, map[string]interface{}{"token_expire": 600})
	rtm2, err := client.BuildRtmTokenWithPermissions(ctx, appID, "rtm2-user", rtm2Resources, 1200)
	keep("rtm_with_permissions", "rtm2_007", rtm2, err, map[string]interface{}{
		"user_id": "rtm2-user", "rtm2_resources": rtm2Record, "token_expire": 1200})
	// Per-privilege lifetimes grant all four RTC privileges: the reference's
	// publisher. A uid goes as its decimal account, as in the Go reference.
	withRtm2, err := client.BuildTokenWithRtm2(ctx, appID, "rtm2 chan", "4242", tokenv1.Role_ROLE_UNSPECIFIED, 3600,
		rtcExpires, "agent-x", 900)
	keep("rtc_with_rtm2_uid", "rtc007_rtm2", withRtm2, err, map[string]interface{}{
		"channel_name": "rtm2 chan", "uid": 4242, "role": 1, "token_expire": 3600,
		"privilege_expires": rtcExpiresRecord, "rtm_user_id": "agent-x", "rtm_token_expire": 900})
	withRtm2Account, err := client.BuildTokenWithRtm2(ctx, appID, "rtm2 chan", "viewer", tokenv1.Role_ROLE_SUBSCRIBER, 0,
		nil, "agent-y", 0)
	keep("rtc_with_rtm2_account", "rtc007_rtm2", withRtm2Account, err, map[string]interface{}{
		"channel_name": "rtm2 chan", "account": "viewer", "role": 2, "token_expire": 0,
		"privilege_expires": noRtcExpiresRecord, "rtm_user_id": "agent-y", "rtm_token_expire": 0})
	convoAi, err := client.BuildConvoAiToken(ctx, &tokenv1.BuildConvoAiTokenRequest{
		AppId: appID, ChannelName: "agent-room", User: &tokenv1.BuildConvoAiTokenRequest_Uid{Uid: 1001},
		Role: tokenv1.Role_ROLE_PUBLISHER, TokenExpireSeconds: 3600, PrivilegeExpires: rtcExpires,
		RtmUserId: "agent-1001", RtmTokenExpireSeconds: 3600})
	keep("convo_ai", "convoai007", convoAi, err, map[string]interface{}{
		"channel_name": "agent-room", "uid": 1001, "role": 1, "token_expire": 3600,
		"privilege_expires": rtcExpiresRecord, "rtm_user_id": "agent-1001", "rtm_token_expire": 3600})
	stt, err := client.BuildSttToken(ctx, &tokenv1.BuildSttTokenRequest{
		AppId: appID, ChannelName: "meeting", User: &tokenv1.BuildSttTokenRequest_Account{Account: "stt-bot"},
		Role:             tokenv1.Role_ROLE_SUBSCRIBER,
		PrivilegeExpires: &tokenv1.RtcPrivilegeExpires{JoinChannelPrivilegeExpire: 600}, RtmUserId: "stt-bot-rtm"})
	keep("stt", "stt007", stt, err, map[string]interface{}{
		"channel_name": "meeting", "account": "stt-bot", "role": 2, "token_expire": 0, "rtm_user_id": "stt-bot-rtm",
		"rtm_token_expire": 0, "privilege_expires": map[string]uint32{
			"join_channel": 600, "publish_audio": 0, "publish_video": 0, "publish_data_stream": 0}})

	batch, err := client.BuildTokens(ctx, &tokenv1.BuildTokensRequest{Items: []*tokenv1.BuildTokensRequestItem{
		{Request: &tokenv1.BuildTokensRequestItem_AccessToken{AccessToken: &tokenv1.BuildAccessTokenRequest{
			AppId: appID, Services: accessTokenGrants()[:2]}}},
		{Request: &tokenv1.BuildTokensRequestItem_Fpa{Fpa: &tokenv1.BuildFpaTokenRequest{AppId: appID}}},
		{Request: &tokenv1.BuildTokensRequestItem_Apaas{Apaas: &tokenv1.BuildApaasTokenRequest{
			AppId: appID, Kind: tokenv1.ApaasTokenKind_APAAS_TOKEN_KIND_ROOM_USER, RoomUuid: "room-b", UserUuid: "pupil", Role: 2}}},
		{Request: &tokenv1.BuildTokensRequestItem_Rtm{Rtm: &tokenv1.BuildRtmTokenRequest{
			AppId: appID, UserId: "rtm2-batch", TokenVersion: tokenv1.TokenVersion_TOKEN_VERSION_007, Rtm2Resources: rtm2Resources}}},
		{Request: &tokenv1.BuildTokensRequestItem_ConvoAi{ConvoAi: &tokenv1.BuildConvoAiTokenRequest{
			AppId: appID, ChannelName: "batch-room", User: &tokenv1.BuildConvoAiTokenRequest_Account{Account: "agent"},
			PrivilegeExpires: rtcExpires, RtmUserId: "agent-b"}}},
		{Request: &tokenv1.BuildTokensRequestItem_Stt{Stt: &tokenv1.BuildSttTokenRequest{
			AppId: appID, ChannelName: "batch-room", User: &tokenv1.BuildSttTokenRequest_Uid{Uid: 7},
			Role: tokenv1.Role_ROLE_PUBLISHER, RtmUserId: "stt-b"}}},
	}})
	if err != nil {
		t.Fatalf("BuildTokens: %v", err)
	}
	if len(batch.GetResults()) != 6 {
		t.Fatalf("%d results, want 6", len(batch.GetResults()))
	}
	tokens := make([]*tokenv1.IssuedToken, 6)
	for i, result := range batch.GetResults() {
		tokens[i] = result.GetToken()
		if err := tokenclient.ResultError(result); err != nil {
			t.Fatalf("batch item %d: %v", i, err)
		}
	}
	keep("batch_access_token", "access_token2_007", tokens[0], nil, map[string]interface{}{
		"services": serviceRecords(accessTokenGrants()[:2]), "token_expire": 0})
	keep("batch_fpa", "fpa007", tokens[1], nil, map[string]interface{}{"token_expire": 86400})
	keep("batch_room_user", "apaas007_room_user", tokens[2], nil, map[string]interface{}{
		"room_uuid": "room-b", "user_uuid": "pupil", "role": 2, "token_expire": 0})
	keep("batch_rtm2", "rtm2_007", tokens[3], nil, map[string]interface{}{
		"user_id": "rtm2-batch", "rtm2_resources": rtm2Record, "token_expire": 0})
	keep("batch_convo_ai", "convoai007", tokens[4], nil, map[string]interface{}{
		"channel_name": "batch-room", "account": "agent", "role": 1, "token_expire": 0,
		"privilege_expires": rtcExpiresRecord, "rtm_user_id": "agent-b", "rtm_token_expire": 0})
	keep("batch_stt", "stt007", tokens[5], nil, map[string]interface{}{
		"channel_name": "batch-room", "uid": 7, "role": 1, "token_expire": 0,
		"privilege_expires": noRtcExpiresRecord, "rtm_user_id": "stt-b", "rtm_token_expire": 0})
	return built
}

func TestEveryNewKindPassesAgoraOfficialPackage(t *testing.T) {
	var records []map[string]interface{}
	for _, token := range buildNewKinds(t) {
		if !strings.HasPrefix(token.response.GetToken(), "007") {
			t.Errorf("%s: not a 007 token", token.record["shape"])
		}
		records = append(records, token.record)
	}
	exitCode, summary, output := runVerifier(t, records)
	if summary != fmt.Sprintf("%d passed, 0 failed", len(records)) || exitCode != 0 {
		t.Fatalf("verifier: exit %d, summary %q; output:\n%s", exitCode, summary, output)
	}
}

// privilegeList is the privilege ids of a decoded service.
func privilegeList(service *tokenv1.DecodedService) []uint32 {
	var ids []uint32
	for _, privilege := range service.GetPrivileges() {
		ids = append(ids, privilege.GetPrivilege())
	}
	return ids
}

func TestEveryNewKindDecodesToItsServices(t *testing.T) {
	wantTypes := map[string][]string{
		"access_token": {"RTC", "RTM", "STREAMING", "FCDN", "APAAS", "RTM2", "CONVO_AI"},
		"fpa":          {"FPA"}, "room_user": {"RTM", "CHAT", "APAAS"}, "apaas_user": {"APAAS"}, "apaas_app": {"APAAS"},
		"rtm_with_permissions": {"RTM2"}, "rtc_with_rtm2_uid": {"RTC", "RTM"}, "rtc_with_rtm2_account": {"RTC", "RTM"},
		"convo_ai": {"RTC", "RTM", "CONVO_AI"}, "stt": {"RTC", "RTM", "STT"},
	}
	built := buildNewKinds(t)
	client := newClient(t)
	services := map[string]map[string]*tokenv1.DecodedService{}
	for shape, types := range wantTypes {
		response := built[shape].response
		decoded, err := client.DecodeToken(context.Background(), &tokenv1.DecodeTokenRequest{Token: response.GetToken()})
		if err != nil {
			t.Fatalf("%s: DecodeToken: %v", shape, err)
		}
		if decoded.GetSignature() != tokenv1.SignatureState_SIGNATURE_STATE_VALID ||
			decoded.GetExpiry() != tokenv1.ExpiryState_EXPIRY_STATE_VALID {
			t.Errorf("%s: signature %v, expiry %v", shape, decoded.GetSignature(), decoded.GetExpiry())
		}
		var gotTypes, decodedPrivileges, listedPrivileges []string
		services[shape] = map[string]*tokenv1.DecodedService{}
		for _, service := range decoded.GetToken007().GetServices() {
			name := strings.TrimPrefix(service.GetType().String(), "SERVICE_TYPE_")
			gotTypes = append(gotTypes, name)
			services[shape][name] = service
			for _, id := range privilegeList(service) {
				decodedPrivileges = append(decodedPrivileges, fmt.Sprint(service.GetType(), "/", id))
			}
		}
		if fmt.Sprint(gotTypes) != fmt.Sprint(types) {
			t.Errorf("%s: services %v, want %v", shape, gotTypes, types)
		}
		// The response lists every privilege the token holds.
		for _, expiry := range response.GetPrivilegeExpiries() {
			listedPrivileges = append(listedPrivileges, fmt.Sprint(expiry.GetService(), "/", expiry.GetPrivilege()))
		}
		sort.Strings(listedPrivileges)
		sort.Strings(decodedPrivileges)
		if fmt.Sprint(listedPrivileges) != fmt.Sprint(decodedPrivileges) {
			t.Errorf("%s: response lists privileges %v, token holds %v", shape, listedPrivileges, decodedPrivileges)
		}
	}
	apaas := services["room_user"]["APAAS"]
	if got := fmt.Sprintf("%s %s %d %v", apaas.GetRoomUuid(), apaas.GetUserUuid(), apaas.GetRole(), privilegeList(apaas)); got != "room-42 teacher-1 1 [1]" {
		t.Errorf("room user APaaS service: %s", got)
	}
	if got := privilegeList(services["apaas_app"]["APAAS"]); fmt.Sprint(got) != "[3]" {
		t.Errorf("app token privileges %v, want [3]", got)
	}
	rtm2 := services["rtm_with_permissions"]["RTM2"]
	var resources []string
	for _, resource := range rtm2.GetRtm2Resources() {
		for _, permission := range resource.GetPermissions() {
			resources = append(resources, fmt.Sprintf("%d/%d%v", resource.GetResourceType(), permission.GetPermissionType(), permission.GetNames()))
		}
	}
	if rtm2.GetUserId() != "rtm2-user" || fmt.Sprint(resources) != "[0/0[ch-a ch-b] 0/1[ch-a] 4/0[peer-1]]" {
		t.Errorf("RTM2 service: user %q, permissions %v", rtm2.GetUserId(), resources)
	}
	withRtm2 := services["rtc_with_rtm2_uid"]
	if withRtm2["RTC"].GetAccount() != "4242" || withRtm2["RTM"].GetUserId() != "agent-x" {
		t.Errorf("RTC account %q, RTM user %q", withRtm2["RTC"].GetAccount(), withRtm2["RTM"].GetUserId())
	}
	if got := privilegeList(services["stt"]["RTC"]); fmt.Sprint(got) != "[1]" {
		t.Errorf("STT subscriber's RTC privileges %v, want [1]", got)
	}
}

// onlyViolation fails unless err is INVALID_ARGUMENT naming exactly field.
func onlyViolation(t *testing.T, err error, field string) {
	t.Helper()
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("%v, want InvalidArgument naming %s", err, field)
	}
	violations := tokenclient.FieldViolations(err)
	if len(violations) != 1 || violations[0].GetField() != field {
		t.Fatalf("violations %v, want one naming %s", violations, field)
	}
}

func TestNewRequestsReportFieldViolations(t *testing.T) {
	client := newClient(t)
	_, err := client.BuildRoomUserToken(context.Background(), appID, "room/1", "teacher-1", 1, 0)
	onlyViolation(t, err, "room_uuid")
	_, err = client.BuildAccessToken(context.Background(), &tokenv1.BuildAccessTokenRequest{AppId: appID,
		Services: []*tokenv1.ServiceGrant{{Type: tokenv1.ServiceType_SERVICE_TYPE_RTC, ChannelName: "c", RoomUuid: "r",
			Privileges: []*tokenv1.PrivilegeGrant{{Privilege: 1}}}}})
	onlyViolation(t, err, "services[0].room_uuid")
}

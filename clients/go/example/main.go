// Command example builds one 007 RTC token with a running token server and
// prints it on stdout.
//
// Usage: example [HOST:PORT]   (default 127.0.0.1:50051; serve
// deploy/dev/keyring.textproto, whose public sample app id is used here)
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/agora-token-service/clients/go/tokenclient"
	"github.com/agora-token-service/clients/go/tokenv1"
)

// The public sample app of deploy/dev/keyring.textproto.
const devAppID = "970CA35de60c44645bbae8a215061b33"

func main() {
	target := "127.0.0.1:50051"
	if len(os.Args) > 1 {
		target = os.Args[1]
	}
	client, err := tokenclient.New(target)
	if err != nil {
		fmt.Fprintln(os.Stderr, "connecting:", err)
		os.Exit(1)
	}
	defer client.Close()

	response, err := client.BuildRtcTokenWithUid(context.Background(), &tokenv1.BuildRtcTokenWithUidRequest{
		AppId:              devAppID,
		ChannelName:        "demo-channel",
		Uid:                2882341273,
		Role:               tokenv1.Role_ROLE_PUBLISHER,
		TokenVersion:       tokenv1.TokenVersion_TOKEN_VERSION_007,
		TokenExpireSeconds: 3600,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "token service error:", err)
		for _, violation := range tokenclient.FieldViolations(err) {
			fmt.Fprintf(os.Stderr, "  %s: %s\n", violation.GetField(), violation.GetDescription())
		}
		os.Exit(1)
	}
	fmt.Println(response.GetToken())
	fmt.Fprintf(os.Stderr, "expires at unix time %d\n", response.GetExpireTs())
}

#!/usr/bin/env ruby
# frozen_string_literal: true

# Builds one 007 RTC token with a running token server and prints it.
#
# Usage: ruby -Ilib example.rb [HOST:PORT]   (default 127.0.0.1:50051; serve
# deploy/dev/keyring.textproto, whose public sample app id is used here;
# AGORA_TOKEN_RUBY_GEN names the stubs made by ./gen.sh unless they are in lib/)

require 'agora_token'

DEV_APP_ID = '970CA35de60c44645bbae8a215061b33'

client = AgoraToken::Client.new(ARGV[0] || '127.0.0.1:50051')
begin
  token = client.build_token_with_uid(app_id: DEV_APP_ID, channel_name: 'demo-channel', uid: 2_882_341_273,
                                      role: AgoraToken::Role::PUBLISHER, privilege_expired_ts: 0,
                                      token_version: '007', token_expire_seconds: 3600)
rescue AgoraToken::Error => e
  abort "token service error: #{e.message}"
end
puts token

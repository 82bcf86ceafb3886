# frozen_string_literal: true

# The Ruby client of the Agora token service. Run ./gen.sh lib before
# `gem build` so the generated stubs (lib/agora/token/v1/*.rb) and a copy of
# the shared ../service_config.json are packed.
packed_config = File.join(__dir__, 'lib', 'agora_token', 'service_config.json')
shared_config = File.join(__dir__, '..', 'service_config.json')
if File.file?(shared_config) && (!File.file?(packed_config) || File.read(packed_config) != File.read(shared_config))
  raise 'lib/agora_token/service_config.json is missing or stale: run ./gen.sh lib'
end

Gem::Specification.new do |spec|
  spec.name = 'agora_token_client'
  spec.version = '0.1.0'
  spec.summary = 'Client for agora.token.v1.TokenService (Agora 006/007 access tokens over gRPC)'
  spec.description = 'Builds Agora RTC, RTM and Chat tokens through the token service, with the ' \
                     'build_token_with_uid / build_token_with_account names of RtcTokenBuilder.'
  spec.authors = ['Agora token service team']
  spec.license = 'Nonstandard'
  spec.required_ruby_version = '>= 2.7'
  spec.files = Dir['lib/**/*.rb', 'lib/agora_token/service_config.json', 'example.rb', 'README.md']
  spec.require_paths = ['lib']
  spec.add_runtime_dependency 'googleapis-common-protos-types', '~> 1.0'
  spec.add_runtime_dependency 'google-protobuf', '~> 3.21'
  spec.add_runtime_dependency 'grpc', '~> 1.51'
end

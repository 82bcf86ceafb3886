// The agora-token executable: all logic lives in agora_token_cli_lib.
#include <iostream>

#include "cli/cli.h"

int main(int argc, char** argv) {
  return agora_token::cli::Run(argc, argv, std::cout, std::cerr,
                               agora_token::cli::ReadProcessEnvironment());
}

#include "cli/app.h"

int main(int argc, char** argv) { return s3tar::cli::run_app(argc, argv); }

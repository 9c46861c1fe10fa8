// Every credentials provider, the default chain and the shared-file helpers.
#pragma once

#include "s3tar/s3/credentials/assume_role_provider.h"
#include "s3tar/s3/credentials/chain_provider.h"
#include "s3tar/s3/credentials/container_provider.h"
#include "s3tar/s3/credentials/credentials.h"
#include "s3tar/s3/credentials/environment_provider.h"
#include "s3tar/s3/credentials/imds_provider.h"
#include "s3tar/s3/credentials/process_provider.h"
#include "s3tar/s3/credentials/profile_provider.h"
#include "s3tar/s3/credentials/refreshing_provider.h"
#include "s3tar/s3/credentials/service_endpoints.h"
#include "s3tar/s3/credentials/shared_config.h"
#include "s3tar/s3/credentials/sso_provider.h"
#include "s3tar/s3/credentials/sts_client.h"
#include "s3tar/s3/credentials/web_identity_provider.h"

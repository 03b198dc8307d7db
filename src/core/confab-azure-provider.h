/* confab-azure-provider.h: Azure OpenAI (classic deployments and the v1 API)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confab-openai-provider.h"

G_BEGIN_DECLS

/* The newest stable data-plane version (providers.md §2). */
#define CONFAB_AZURE_DEFAULT_API_VERSION "2024-10-21"

#define CONFAB_TYPE_AZURE_PROVIDER (confab_azure_provider_get_type ())

G_DECLARE_FINAL_TYPE (ConfabAzureProvider, confab_azure_provider, CONFAB, AZURE_PROVIDER, ConfabOpenaiProvider)

G_END_DECLS

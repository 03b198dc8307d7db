/* confab-ollama-provider.h: Ollama's native /api/chat
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confab-provider.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_OLLAMA_PROVIDER (confab_ollama_provider_get_type ())

G_DECLARE_FINAL_TYPE (ConfabOllamaProvider, confab_ollama_provider, CONFAB, OLLAMA_PROVIDER, ConfabProvider)

G_END_DECLS

/* confab-provider-info.c: the preset table
 *
 * Base URLs, default models and quirks come from
 * shared/reference/providers.md; each preset cites its section there.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-provider-info.h"

#define REGION(id, name, name_zh, url) { id, name, name_zh, url }
#define END_REGIONS { NULL, NULL, NULL, NULL }

/* §1 */
static const ConfabProviderRegion openai_regions[] = {
  REGION ("global", N_("Global"), "全球", "https://api.openai.com/v1"),
  END_REGIONS
};
static const char * const openai_models[] = {
  "gpt-4.1-mini", "gpt-4.1", "gpt-4o", "gpt-4o-mini", "o4-mini", NULL
};

/* §2: the endpoint is the user's own resource; the deployment picks the
 * model, so these are only the names deployments are usually given. */
static const ConfabProviderRegion azure_regions[] = {
  REGION ("global", N_("Azure (your resource)"), "Azure（你的资源）",
          "https://YOUR-RESOURCE.openai.azure.com"),
  END_REGIONS
};
static const char * const azure_models[] = {
  "gpt-4.1", "gpt-4.1-mini", "gpt-4o", "gpt-4o-mini", "o4-mini", NULL
};

/* §3 */
static const ConfabProviderRegion anthropic_regions[] = {
  REGION ("global", N_("Global"), "全球", "https://api.anthropic.com"),
  END_REGIONS
};
static const char * const anthropic_models[] = {
  "claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5", "claude-sonnet-4-0",
  "claude-3-7-sonnet-latest", NULL
};

/* §4 */
static const ConfabProviderRegion gemini_regions[] = {
  REGION ("global", N_("Global"), "全球", "https://generativelanguage.googleapis.com/v1beta"),
  END_REGIONS
};
static const char * const gemini_models[] = {
  "gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.5-flash-lite", "gemini-2.0-flash", NULL
};

/* §5: local, no key; a remote server may want one. */
static const ConfabProviderRegion ollama_regions[] = {
  REGION ("local", N_("This computer"), "本机", "http://127.0.0.1:11434"),
  END_REGIONS
};
static const char * const ollama_models[] = {
  "llama3.2", "qwen3", "deepseek-r1", "gemma3", "gpt-oss", NULL
};

static const ConfabProviderRegion custom_regions[] = {
  REGION ("custom", N_("Custom"), "自定义", "http://127.0.0.1:8080/v1"),
  END_REGIONS
};
static const char * const no_models[] = { NULL };

/* §6 */
static const ConfabProviderRegion deepseek_regions[] = {
  REGION ("global", N_("Global"), "全球", "https://api.deepseek.com"),
  END_REGIONS
};
static const char * const deepseek_models[] = { "deepseek-chat", "deepseek-reasoner", NULL };

/* §7: API keys are region-specific. */
static const ConfabProviderRegion qwen_regions[] = {
  REGION ("beijing", N_("China (Beijing)"), "中国（北京）",
          "https://dashscope.aliyuncs.com/compatible-mode/v1"),
  REGION ("singapore", N_("Singapore"), "新加坡",
          "https://dashscope-intl.aliyuncs.com/compatible-mode/v1"),
  REGION ("us", N_("US (Virginia)"), "美国（弗吉尼亚）",
          "https://dashscope-us.aliyuncs.com/compatible-mode/v1"),
  REGION ("hongkong", N_("China (Hong Kong)"), "中国（香港）",
          "https://cn-hongkong.dashscope.aliyuncs.com/compatible-mode/v1"),
  END_REGIONS
};
static const char * const qwen_models[] = {
  "qwen-plus", "qwen-max", "qwen-turbo", "qwen3-max", "qwq-plus", NULL
};

/* §8: keys from .cn and .ai are not interchangeable. */
static const ConfabProviderRegion moonshot_regions[] = {
  REGION ("cn", N_("China"), "中国", "https://api.moonshot.cn/v1"),
  REGION ("global", N_("Global"), "全球", "https://api.moonshot.ai/v1"),
  END_REGIONS
};
static const char * const moonshot_models[] = {
  "kimi-k2-0905-preview", "kimi-k2-turbo-preview", "moonshot-v1-8k", "moonshot-v1-32k",
  "moonshot-v1-128k", NULL
};

/* §9 */
static const ConfabProviderRegion zhipu_regions[] = {
  REGION ("bigmodel", N_("BigModel (China)"), "智谱开放平台（中国）",
          "https://open.bigmodel.cn/api/paas/v4"),
  REGION ("zai", N_("Z.ai (International)"), "Z.ai（国际）", "https://api.z.ai/api/paas/v4"),
  END_REGIONS
};
static const char * const zhipu_models[] = {
  "glm-4.6", "glm-4.5", "glm-4.5-air", "glm-4-flash", NULL
};

/* §10: the HTTP APIPassword; X1 lives on /v2. */
static const ConfabProviderRegion spark_regions[] = {
  REGION ("v1", N_("Spark (v1)"), "星火（v1）", "https://spark-api-open.xf-yun.com/v1"),
  REGION ("x1", N_("Spark X1 (v2)"), "星火 X1（v2）", "https://spark-api-open.xf-yun.com/v2"),
  END_REGIONS
};
static const char * const spark_models[] = {
  "lite", "generalv3", "pro-128k", "generalv3.5", "max-32k", "4.0Ultra", "x1", NULL
};

/* §11 */
static const ConfabProviderRegion qianfan_regions[] = {
  REGION ("v2", N_("Qianfan v2"), "千帆 v2", "https://qianfan.baidubce.com/v2"),
  END_REGIONS
};
static const char * const qianfan_models[] = {
  "ernie-4.5-turbo-128k", "ernie-x1-turbo-32k", "ernie-speed-128k", "deepseek-v3", NULL
};

/* §12: ep-… endpoint ids are models too. */
static const ConfabProviderRegion doubao_regions[] = {
  REGION ("beijing", N_("China (Beijing)"), "中国（北京）",
          "https://ark.cn-beijing.volces.com/api/v3"),
  END_REGIONS
};
static const char * const doubao_models[] = {
  "doubao-seed-1-6-250615", "doubao-1-5-pro-32k-250115", "doubao-1-5-lite-32k-250115", NULL
};

/* §13 */
static const ConfabProviderRegion siliconflow_regions[] = {
  REGION ("cn", N_("China"), "中国", "https://api.siliconflow.cn/v1"),
  REGION ("global", N_("Global"), "全球", "https://api.siliconflow.com/v1"),
  END_REGIONS
};
static const char * const siliconflow_models[] = {
  "deepseek-ai/DeepSeek-V3", "deepseek-ai/DeepSeek-R1", "Qwen/Qwen3-235B-A22B",
  "THUDM/GLM-4-9B-0414", NULL
};

/* §14 */
static const ConfabProviderRegion openrouter_regions[] = {
  REGION ("global", N_("Global"), "全球", "https://openrouter.ai/api/v1"),
  END_REGIONS
};
static const char * const openrouter_models[] = {
  "openai/gpt-4.1-mini", "anthropic/claude-sonnet-4.5", "google/gemini-2.5-flash",
  "deepseek/deepseek-chat", NULL
};

static const ConfabProviderInfo infos[] = {
  { "openai", N_("OpenAI"), "OpenAI", CONFAB_PROTOCOL_OPENAI, openai_regions, TRUE,
    openai_models, CONFAB_QUIRK_MAX_COMPLETION_TOKENS },
  { "azure", N_("Azure OpenAI"), "Azure OpenAI 服务", CONFAB_PROTOCOL_AZURE, azure_regions, TRUE,
    azure_models, CONFAB_QUIRK_USER_BASE_URL },
  { "anthropic", N_("Anthropic Claude"), "Anthropic Claude", CONFAB_PROTOCOL_ANTHROPIC,
    anthropic_regions, TRUE, anthropic_models, CONFAB_QUIRK_NONE },
  { "gemini", N_("Google Gemini"), "谷歌 Gemini", CONFAB_PROTOCOL_GEMINI, gemini_regions, TRUE,
    gemini_models, CONFAB_QUIRK_NONE },
  { "deepseek", N_("DeepSeek"), "深度求索 DeepSeek", CONFAB_PROTOCOL_OPENAI, deepseek_regions,
    TRUE, deepseek_models, CONFAB_QUIRK_NONE },
  { "qwen", N_("Qwen (Alibaba Cloud Model Studio)"), "通义千问（阿里云百炼）",
    CONFAB_PROTOCOL_OPENAI, qwen_regions, TRUE, qwen_models, CONFAB_QUIRK_ENABLE_THINKING },
  { "moonshot", N_("Moonshot AI Kimi"), "月之暗面 Kimi", CONFAB_PROTOCOL_OPENAI,
    moonshot_regions, TRUE, moonshot_models, CONFAB_QUIRK_NONE },
  { "zhipu", N_("Zhipu GLM"), "智谱 GLM", CONFAB_PROTOCOL_OPENAI, zhipu_regions, TRUE,
    zhipu_models, CONFAB_QUIRK_ZHIPU_CODES | CONFAB_QUIRK_NO_STREAM_OPTIONS },
  { "spark", N_("iFlytek Spark"), "讯飞星火", CONFAB_PROTOCOL_OPENAI, spark_regions, TRUE,
    spark_models, CONFAB_QUIRK_CODE_IN_CHUNKS | CONFAB_QUIRK_NO_STREAM_OPTIONS },
  { "qianfan", N_("Baidu Qianfan (ERNIE)"), "百度千帆（文心一言）", CONFAB_PROTOCOL_OPENAI,
    qianfan_regions, TRUE, qianfan_models, CONFAB_QUIRK_NONE },
  { "doubao", N_("Doubao (Volcengine Ark)"), "豆包（火山方舟）", CONFAB_PROTOCOL_OPENAI,
    doubao_regions, TRUE, doubao_models, CONFAB_QUIRK_NONE },
  { "siliconflow", N_("SiliconFlow"), "硅基流动 SiliconFlow", CONFAB_PROTOCOL_OPENAI,
    siliconflow_regions, TRUE, siliconflow_models, CONFAB_QUIRK_NONE },
  { "openrouter", N_("OpenRouter"), "OpenRouter", CONFAB_PROTOCOL_OPENAI, openrouter_regions,
    TRUE, openrouter_models, CONFAB_QUIRK_NONE },
  { "ollama", N_("Ollama (local)"), "Ollama（本地）", CONFAB_PROTOCOL_OLLAMA, ollama_regions,
    FALSE, ollama_models, CONFAB_QUIRK_USER_BASE_URL },
  { "custom", N_("Custom (OpenAI-compatible)"), "自定义（OpenAI 兼容）", CONFAB_PROTOCOL_OPENAI,
    custom_regions, FALSE, no_models, CONFAB_QUIRK_USER_BASE_URL },
};

static const ConfabProviderInfo * const info_list[] = {
  &infos[0], &infos[1], &infos[2], &infos[3], &infos[4], &infos[5],
  &infos[6], &infos[7], &infos[8], &infos[9], &infos[10], &infos[11],
  &infos[12], &infos[13], &infos[14], NULL
};

G_STATIC_ASSERT (G_N_ELEMENTS (info_list) == G_N_ELEMENTS (infos) + 1);

const char *
confab_protocol_to_string (ConfabProtocol protocol)
{
  switch (protocol)
    {
    case CONFAB_PROTOCOL_OPENAI: return "openai";
    case CONFAB_PROTOCOL_AZURE: return "azure";
    case CONFAB_PROTOCOL_ANTHROPIC: return "anthropic";
    case CONFAB_PROTOCOL_GEMINI: return "gemini";
    case CONFAB_PROTOCOL_OLLAMA: return "ollama";
    default: g_return_val_if_reached ("openai");
    }
}

const ConfabProviderInfo *
confab_provider_info_lookup (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (infos); i++)
    if (g_str_equal (infos[i].id, id))
      return &infos[i];

  return NULL;
}

const ConfabProviderInfo * const *
confab_provider_info_list (guint *n_infos)
{
  if (n_infos != NULL)
    *n_infos = G_N_ELEMENTS (infos);
  return info_list;
}

/* The default region is the first; a NULL or empty @region_id means it. */
const ConfabProviderRegion *
confab_provider_info_lookup_region (const ConfabProviderInfo *info,
                                    const char               *region_id)
{
  g_return_val_if_fail (info != NULL, NULL);

  if (region_id == NULL || *region_id == '\0')
    return &info->regions[0];

  for (const ConfabProviderRegion *r = info->regions; r->id != NULL; r++)
    if (g_str_equal (r->id, region_id))
      return r;

  return NULL;
}

guint
confab_provider_info_get_n_regions (const ConfabProviderInfo *info)
{
  guint n = 0;

  g_return_val_if_fail (info != NULL, 0);

  while (info->regions[n].id != NULL)
    n++;
  return n;
}

const char *
confab_provider_info_get_display_name (const ConfabProviderInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);
  return g_dgettext (GETTEXT_PACKAGE, info->name);
}

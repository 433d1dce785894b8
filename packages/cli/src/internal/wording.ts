/**
 * The command line's words for what the library names. A `KpsInvalidInput` names the option of
 * `KpsClient` at fault (`projectId`, `credentials.token`, `server.id`) and says how to fix it to a
 * programmer ("give `projectId` to the client"); through `kps-task`, the user gave a flag or set a
 * variable, and the error names those.
 */
import type { KpsInvalidInput } from "@effect-kps/core/KpsError"

const projectId = "--project-id (or HUAWEICLOUD_SDK_PROJECT_ID)"

/** The flags and variables of each input of `KpsClient` that the command line sets. */
const inputs: Readonly<Record<string, string>> = {
  taskId: "<task-id>",
  projectId,
  region: "--region (or HUAWEICLOUD_SDK_REGION)",
  endpoint: "--endpoint (or HUAWEICLOUD_SDK_REGION_KPS_<REGION>)",
  iamEndpoint: "HUAWEICLOUD_SDK_IAM_ENDPOINT",
  "credentials.token": "--token (or KPS_TOKEN)",
  "credentials.accessKeyId": "--ak (or HUAWEICLOUD_SDK_AK, CLOUD_SDK_AK)",
  "credentials.secretAccessKey": "--sk (or HUAWEICLOUD_SDK_SK, CLOUD_SDK_SK)",
  "credentials.securityToken": "HUAWEICLOUD_SDK_SECURITY_TOKEN",
  keypairName: "--keypair",
  "server.id": "--server",
  "server.port": "--port",
  "server.auth.key":
    "server login (--password-file, --private-key-file, KPS_SERVER_PASSWORD or KPS_SERVER_PRIVATE_KEY)",
  pageSize: "--page-size"
}

/** What the user set for an input of `KpsClient`: `projectId` → `--project-id (or HUAWEICLOUD_SDK_PROJECT_ID)`. */
export const input = (field: string): string => inputs[field] ?? field

const giveProjectId = "give --project-id or set HUAWEICLOUD_SDK_PROJECT_ID"

/**
 * The library's advice, which names its options, and the command line's, which names flags and
 * variables: the whole message, by field. The library's wording is pinned by the CLI's tests,
 * which run these errors through the built `kps-task`.
 */
const advice: ReadonlyArray<{ readonly field: string; readonly library: RegExp; readonly cli: string }> = [
  {
    field: "projectId",
    library: /^no project id: give `projectId`, or a `region` to look it up in IAM$/,
    cli: `no project id: ${giveProjectId}; with an access key, a region (--region or HUAWEICLOUD_SDK_REGION) ` +
      "looks it up in IAM instead"
  },
  { field: "projectId", library: /^no project id: give `projectId`.*$/, cli: `no project id: ${giveProjectId}` },
  // IAM's lookup found no project, or several.
  { field: "projectId", library: /^(.*): give projectId$/, cli: `$1: ${giveProjectId}` },
  {
    field: "endpoint",
    library: /^give `region`.*$/,
    cli: "no endpoint: give --endpoint, or a region with --region or HUAWEICLOUD_SDK_REGION"
  },
  {
    field: "endpoint",
    library: /^(.*); pass them as `credentials`$/,
    cli: `Invalid ${inputs.endpoint}: $1; give them with --token, or --ak and --sk`
  }
]

/**
 * A `KpsInvalidInput` in the command line's words: `Invalid --keypair: must not be empty`; `no
 * project id: give --project-id or set HUAWEICLOUD_SDK_PROJECT_ID`.
 */
export const invalidInput = (error: KpsInvalidInput): string => {
  const rewritten = advice.find(({ field, library }) => field === error.field && library.test(error.description))
  return rewritten === undefined
    ? `Invalid ${input(error.field)}: ${error.description}`
    : error.description.replace(rewritten.library, rewritten.cli)
}

/**
 * The one event of every endpoint's test button: no resource, only who sent it. Every other event
 * comes from the features (their `webhookTypes` and `webhookSources`, collected in Contributions).
 */
export const testType = 'webhook.test'

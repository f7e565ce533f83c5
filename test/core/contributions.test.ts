import path from 'node:path'
import t from 'tap'
import Type from 'typebox'
import { Contributions } from '../../core/features/contributions.ts'
import { withFeatureConfig } from '../../core/config.ts'
import { FeatureError, type Feature, type Panel, type PanelSlot } from '../../core/features/features.ts'
import { coreModules } from '../../core/features/modules.ts'
import { Views } from '../../core/web/views.ts'
import { testConfig } from '../helper.ts'

const area = { name: 'customers', label: 'Customers', scope: 'own', actions: { create: true } } as const
const panel = (slot: string): Panel => ({ slot: slot as PanelSlot, id: 'visits', title: 'Visits', render: async () => '' })

t.test('the core modules contribute without a clash; the areas are the ones they register', async (t) => {
  const contributions = new Contributions(coreModules)
  t.same(contributions.areas.list.map((a) => a.name), ['customers', 'opportunities', 'cases'])
  t.same([...contributions.panels.keys()], ['customer-account', 'opportunity'])
  t.same(contributions.panels.get('customer-account')!.map((p) => p.id), ['opportunities'])
  t.same(contributions.panels.get('opportunity')!.map((p) => p.id), ['cases'])
})

t.test('two features registering one area stop start-up naming both', async (t) => {
  t.throws(() => new Contributions([...coreModules, { name: 'field-service', areas: [area] }]),
    new FeatureError('"customers" and "field-service" both register the channel-permission area "customers".'))
})

t.test('a panel for a slot no enabled feature declares stops start-up naming the feature, the panel and the slot', async (t) => {
  t.throws(() => new Contributions([...coreModules, { name: 'field-service', panels: [panel('customer-acount')] }]),
    { constructor: FeatureError, message: /"field-service" adds the panel "visits" to the slot "customer-acount", which no enabled feature declares \(declared: customer-account, opportunity\)/ })
  t.throws(() => new Contributions([...coreModules, { name: 'field-service', panelSlots: ['customer-account'] as PanelSlot[] }]),
    { message: /"customers" and "field-service" both register the panel slot "customer-account"/ })
})

t.test('a nav entry, widget or panel shown by an area no enabled feature registers stops start-up', async (t) => {
  const feature: Feature = { name: 'field-service', nav: [{ audience: 'partner', label: 'Visits', href: '/portal/visits', area: 'visits' as never }] }
  t.throws(() => new Contributions([...coreModules, feature]), { message: /"field-service" shows its nav entry "Visits" by the area "visits"/ })
})

t.test('suggestion providers come in their order; one id belongs to one feature', async (t) => {
  const provider = (id: string, order: number) => ({ id, label: id, order, find: async () => [] })
  const contributions = new Contributions([...coreModules, { name: 'answers', suggestions: [provider('answers', 60)] }, { name: 'faq', suggestions: [provider('faq', 5)] }])
  t.same(contributions.suggestions.map((p) => p.id), ['faq', 'knowledge', 'forums', 'answers'], 'the core modules’ (knowledge 10, forums 20) among them')
  t.throws(() => new Contributions([...coreModules, { name: 'answers', suggestions: [provider('answers', 60)] }, { name: 'faq', suggestions: [provider('answers', 10)] }]),
    new FeatureError('"answers" and "faq" both register the suggestion provider "answers".'))
})

t.test('webhook events: each feature offers its own, one name belongs to one feature, and a source sends only an offered type', async (t) => {
  const contributions = new Contributions(coreModules)
  for (const name of ['offer.created', 'customer.removed', 'case.replied', 'application.decided', 'thread.created', 'post.created', 'answer.accepted']) {
    t.ok(contributions.webhookTypes[name], `${name} is offered`)
  }
  t.equal(contributions.webhookSources['forum.post-created']?.type, 'post.created')
  t.equal(contributions.webhookSources['partner.approved']?.type, 'application.decided')
  const visit = { label: 'Visit booked', data: Type.Object({}), staffOnly: false }
  t.throws(() => new Contributions([...coreModules, { name: 'field-service', webhookTypes: { 'case.created': visit } }]),
    { constructor: FeatureError, message: /"cases" and "field-service" both register the webhook event "case.created"/ })
  t.throws(() => new Contributions([...coreModules, { name: 'field-service', webhookSources: { 'customer.reassigned': { type: 'visit.booked', partnersOf: async () => [], data: async () => null } } }]),
    { constructor: FeatureError, message: /"field-service" sends the domain event "customer.reassigned" as the webhook event "visit.booked", which no enabled feature offers/ })
  t.throws(() => new Contributions([...coreModules, { name: 'field-service', webhookTypes: { 'visit.booked': visit }, webhookSources: { 'case.created': { type: 'visit.booked', partnersOf: async () => [], data: async () => null } } }]),
    { constructor: FeatureError, message: /"cases" and "field-service" both register the webhook source of the domain event "case.created"/ })
})

t.test('a config variable belongs to one feature, with a description', async (t) => {
  const variable = (name: string, description = 'Where the visits are sent.') => Type.Object({ [name]: Type.String({ default: 'x', description }) })
  const config = testConfig({})
  t.throws(() => withFeatureConfig(config, [{ name: 'field-service', config: variable('PORT') }]),
    new FeatureError('"field-service" declares the config variable PORT, which the core declares too.'))
  t.throws(() => withFeatureConfig(config, [{ name: 'field-service', config: variable('VISITS_URL') }, { name: 'project-service', config: variable('VISITS_URL') }]),
    new FeatureError('"project-service" declares the config variable VISITS_URL, which "field-service" declares too.'))
  t.throws(() => withFeatureConfig(config, [{ name: 'field-service', config: variable('VISITS_URL', '') }]), { message: /VISITS_URL without a description/ })
})

t.test('a feature’s views or assets may not take a name that core’s folders use', async (t) => {
  const dir = path.resolve(import.meta.dirname, '../fixtures/addons/sample/views')
  t.throws(() => new Views([{ name: 'components', views: dir }], []), { constructor: FeatureError, message: /views\/components\/ is core's/ })
  t.throws(() => new Views([{ name: 'htmx', assets: { dir } }], []), { constructor: FeatureError, message: /\/assets\/htmx\/ is core's/ })
})

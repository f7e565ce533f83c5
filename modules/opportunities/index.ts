import { asValue } from 'awilix'
import type { Feature } from '../../core/features/features.ts'
import { ChannelService } from './channel.service.ts'
import { DistributionService } from './distribution.service.ts'
import { OpportunitiesService } from './opportunities.service.ts'
import opportunitiesRoutes from './opportunities.routes.ts'
import opportunitiesApi from './opportunities.api.ts'
import { accountPanel } from './opportunities.panels.ts'
import { seedOpportunities } from './opportunities.seed.ts'
import { PipelineService } from './pipeline.service.ts'
import { webhookSources, webhookTypes } from './opportunities.webhooks.ts'
import { offersWidget, pipelineWidget, revenueWidget, stalledWidget, staffQueueWidget } from './opportunities.widgets.ts'

/** A deal's stages in their order: the last is the one before it is won. */
export { stages as dealStages } from './opportunities.table.ts'

declare module '../../core/identity/access.ts' {
  interface ChannelAreaNames {
    opportunities: true
  }
  interface ChannelGrantNames {
    acceptOffers: true
  }
}

declare module '../../core/features/features.ts' {
  interface PanelSlots {
    /** An opportunity's page, the partner's and the staff's: its panels get the deal. */
    opportunity: { id: string; partnerId: string | null }
  }
}

declare module '../../core/container.ts' {
  interface Cradle {
    opportunities: OpportunitiesService
    distribution: DistributionService
    pipeline: PipelineService
    channel: ChannelService
  }
}

const opportunities: Feature = {
  name: 'opportunities',
  dependsOn: ['partners', 'customers'],
  register(container) {
    const { db, mailer, jobs, events, partnerUsers, partners, customers, customerContacts, channelAreas } = container.cradle
    const distribution = new DistributionService({ db, mailer, jobs, events, partnerUsers, channelAreas, customers })
    const opportunities = new OpportunitiesService({ db, mailer, events, partnerUsers, channelAreas, partners, customers, customerContacts, distribution })
    events.on('customer.removed', (event, trx) => opportunities.removalReason(trx, event.payload.accountId))
    container.register({
      distribution: asValue(distribution),
      opportunities: asValue(opportunities),
      pipeline: asValue(new PipelineService({ db, opportunities })),
      channel: asValue(new ChannelService({ db, opportunities, distribution }))
    })
  },
  routes: opportunitiesRoutes,
  api: opportunitiesApi,
  areas: [{ name: 'opportunities', label: 'Opportunities', scope: 'own', actions: { create: true, edit: true, delete: false } }],
  grants: [{ name: 'acceptOffers', label: 'May accept or reject opportunities offered to the company', default: false }],
  nav: [
    { audience: 'partner', label: 'Opportunities', href: '/portal/opportunities', order: 20, area: 'opportunities' },
    { audience: 'staff', label: 'Opportunities', href: '/admin/opportunities', order: 20 },
    { audience: 'staff', label: 'Channel', href: '/admin/opportunities/channel', order: 21 },
    { audience: 'staff', label: 'Distribution rules', href: '/admin/opportunities/rules', order: 88, access: 'staff-admin', menu: 'Settings' }
  ],
  widgets: [revenueWidget, pipelineWidget, offersWidget, stalledWidget, staffQueueWidget],
  panelSlots: ['opportunity'],
  panels: [accountPanel],
  webhookTypes,
  webhookSources,
  seed: seedOpportunities
}

export default opportunities

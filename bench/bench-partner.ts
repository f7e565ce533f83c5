/** The partner whose pages are measured: the same 1,000 opportunities at every data size. */
export const benchPartner = {
  domain: 'bench.example',
  email: 'bench@bench.example',
  password: 'bench-password-1',
  opportunities: 1000,
  pendingOffers: 20,
  /** Its support cases, the same at every size. */
  cases: 1000,
  sharedWithIt: 10
} as const

export const defaultBenchUrl = 'postgres://postgres@127.0.0.1:5432/pp_bench'

/** A staff admin of the generated data (the same password), for the staff pages. */
export const benchStaff = { email: 'staff1@portal.example' } as const

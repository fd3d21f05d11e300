/**
 * `GET /requests`: requests for new official accounts (contracts section 9). The approval workflow is not built yet,
 * so the page says so plainly and shows what to do meanwhile, rather than a form that records nothing.
 */
export function requestsPage(): { title: string; body: string } {
  return {
    title: 'Requests for new accounts',
    body: `<p id="no-requests">There are no requests yet. Asking for a new official account in the console (the site creation approval form) is coming in a later version of Custodian.</p>
<p>Until then, ask your school's IT manager: they add the account to the register once it has been approved, with its linked email, at least two administrators and a main and a reserve supervisor.</p>`,
  };
}

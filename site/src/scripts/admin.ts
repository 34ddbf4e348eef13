// Administration. Capability 1/5/12 add teacher verification, moderation and dashboards.
import { errorMessage } from '../lib/api';
import { byId, setState } from '../lib/dom';
import { requireUser } from '../lib/session';

const region = byId('me-list');

async function main(): Promise<void> {
  setState(region, 'loading');
  try {
    const user = await requireUser(['admin']);
    setState(region, user ? 'empty' : 'forbidden');
  } catch (error) {
    setState(region, 'error', errorMessage(error));
  }
}

void main();

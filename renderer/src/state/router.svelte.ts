// Hash routing: #/experiments, #/new, #/new/sweep, #/run/12, #/sweeps, #/sweep/4, #/datasets, #/compare/3,7, #/workers
export type Route =
  | { name: 'experiments' }
  | { name: 'new'; fromRun?: number; sweep?: boolean }
  | { name: 'sweeps' }
  | { name: 'sweep'; id: number }
  | { name: 'run'; id: number }
  | { name: 'datasets' }
  | { name: 'compare'; ids: number[] }
  | { name: 'workers' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  switch (parts[0]) {
    case 'new':
      if (parts[1] === 'sweep') return { name: 'new', sweep: true };
      return parts[1] === 'from' && Number(parts[2]) > 0 ? { name: 'new', fromRun: Number(parts[2]) } : { name: 'new' };
    case 'sweeps':
      return { name: 'sweeps' };
    case 'sweep':
      return Number(parts[1]) > 0 ? { name: 'sweep', id: Number(parts[1]) } : { name: 'sweeps' };
    case 'run':
      return Number(parts[1]) > 0 ? { name: 'run', id: Number(parts[1]) } : { name: 'experiments' };
    case 'datasets':
      return { name: 'datasets' };
    case 'workers':
      return { name: 'workers' };
    case 'compare':
      return { name: 'compare', ids: (parts[1] ?? '').split(',').map(Number).filter((n) => n > 0) };
    default:
      return { name: 'experiments' };
  }
}

export function routeHref(r: Route): string {
  switch (r.name) {
    case 'new':
      return r.sweep ? '#/new/sweep' : r.fromRun ? `#/new/from/${r.fromRun}` : '#/new';
    case 'sweep':
      return `#/sweep/${r.id}`;
    case 'run':
      return `#/run/${r.id}`;
    case 'compare':
      return `#/compare/${r.ids.join(',')}`;
    default:
      return `#/${r.name}`;
  }
}

export class Router {
  route = $state<Route>(parseRoute(location.hash));

  constructor() {
    window.addEventListener('hashchange', () => {
      this.route = parseRoute(location.hash);
    });
  }

  go(r: Route): void {
    location.hash = routeHref(r);
  }
}

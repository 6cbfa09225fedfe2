// The layer table of shared/DESIGN.md as data, and the ESLint rule that enforces it: every import
// (static, dynamic, re-export, require) is checked against the importing file's layer. A forbidden
// import fails `npm run lint` with a message naming both layers.
import { builtinModules } from 'node:module';
import { dirname, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

const engine = (...folders) => folders.map((f) => `src/engine/${f}`);
const ENGINE_PACKAGES = { packages: ['*'], forbidPackages: ['electron', 'svelte', 'd3'], forbidScope: 'src/engine' };

// The engine's folders, bottom up (DESIGN.md "The shape": a folder imports only from folders below
// it). Each lists exactly what it may import, so a new upward or sideways edge fails the lint.
const CORE = engine('core');
const GRAPH = [...CORE, ...engine('ir')];
const COMPUTE = [...GRAPH, ...engine('autodiff', 'onnx', 'runtime')];
const MODELLING = [...COMPUTE, ...engine('weights', 'jobs', 'train', 'models')];
const PRODUCT = [...MODELLING, ...engine('store', 'data')];
const APPLICATION = [...PRODUCT, ...engine('world', 'aptp', 'metrics', 'bundle')];

/**
 * Layers by source folder (longest prefix wins). `may`: source folders (or single files, without
 * extension) this layer may import besides its own folder. `packages`: 'node' (builtins) and npm packages it may import;
 * '*' means any package not in `forbidPackages`.
 */
export const LAYERS = {
  'src/shared': { may: ['src/shared'], packages: ['zod'] },
  // A file directly in src/engine, or in a folder missing below, is in no layer and may import nothing.
  'src/engine': { may: [], packages: [] },
  'src/engine/core': { may: ['package.json'], packages: ['node'] },
  'src/engine/jobs': { may: CORE, packages: ['node'] },
  'src/engine/store': { may: CORE, packages: ['node', 'better-sqlite3'] },
  'src/engine/ir': { may: GRAPH, packages: ['node'] },
  'src/engine/autodiff': { may: GRAPH, packages: ['node'] },
  'src/engine/onnx': { may: GRAPH, packages: ['node'] },
  // The execution-provider description is shared with the front ends as one type.
  'src/engine/runtime': { may: [...GRAPH, ...engine('onnx'), 'src/shared/machine-info'], packages: ['node', 'onnxruntime-node'] },
  'src/engine/weights': { may: COMPUTE, packages: ['node'] },
  'src/engine/train': { may: [...COMPUTE, ...engine('weights', 'jobs')], packages: ['node'] },
  'src/engine/models': { may: MODELLING, ...ENGINE_PACKAGES },
  'src/engine/data': { may: [...MODELLING, ...engine('store')], ...ENGINE_PACKAGES },
  'src/engine/world': { may: PRODUCT, ...ENGINE_PACKAGES },
  'src/engine/metrics': { may: PRODUCT, ...ENGINE_PACKAGES },
  // The layers that answer front ends may speak the wire contract (src/shared).
  'src/engine/aptp': { may: [...PRODUCT, 'src/shared'], ...ENGINE_PACKAGES },
  'src/engine/bundle': { may: [...PRODUCT, ...engine('metrics'), 'src/shared'], ...ENGINE_PACKAGES },
  'src/engine/system': { may: [...COMPUTE, ...engine('store'), 'src/shared'], ...ENGINE_PACKAGES },
  // The built-in demo runs the deepest pipeline that exists, so it sits on top of the APTP layers.
  'src/engine/demo': { may: [...APPLICATION, 'src/shared'], ...ENGINE_PACKAGES },
  'src/engine/runs': { may: [...APPLICATION, ...engine('demo'), 'src/shared'], ...ENGINE_PACKAGES },
  'src/engine/host': { may: [...APPLICATION, ...engine('runs', 'system'), 'src/shared', 'package.json'], ...ENGINE_PACKAGES },
  'src/cli': { may: ['src/shared', 'src/engine', 'src/cli', 'package.json'], packages: ['*'], forbidPackages: ['svelte', 'd3'] },
  'src/main': { may: ['src/shared', 'src/main'], packages: ['node', 'electron'] },
  'src/preload': { may: ['src/shared', 'src/preload'], packages: ['electron'] },
  'src/renderer': { may: ['src/shared', 'src/renderer'], packages: ['svelte', 'd3', 'zod'] },
};

/** Packages exactly one engine folder may import (DESIGN.md: the only importer of ...). */
export const OWNED_PACKAGES = {
  'onnxruntime-node': 'src/engine/runtime',
  'better-sqlite3': 'src/engine/store',
};

const longestPrefix = (rel) => Object.keys(LAYERS)
  .filter((k) => rel === k || rel.startsWith(`${k}/`))
  .sort((a, b) => b.length - a.length)[0];

function layerOf(file) {
  return longestPrefix(relative(root, file).split('\\').join('/'));
}

/** The layer folder a path lies in (an unknown src/engine/<folder> is named as itself). */
function folderOf(path) {
  const rel = relative(root, path).split('\\').join('/');
  if (rel === 'package.json') return 'package.json';
  const unknownEngineFolder = /^src\/engine\/[^/]+(?=\/)/.exec(rel)?.[0];
  const layer = longestPrefix(rel);
  return layer === 'src/engine' && unknownEngineFolder ? unknownEngineFolder : layer ?? rel;
}

function within(folder, allowed) {
  return allowed.some((a) => folder === a || folder.startsWith(`${a}/`));
}

function packageName(spec) {
  if (NODE_BUILTINS.has(spec)) return 'node';
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Returns why `spec` may not be imported from `file`, or null when it may. */
export function violation(file, spec) {
  const layer = layerOf(file);
  if (!layer) return null;
  const rules = LAYERS[layer];
  if (spec.startsWith('.') || spec.startsWith('/')) {
    const target = resolve(dirname(file), spec);
    const folder = folderOf(target);
    if (folder === layer || within(folder, rules.may) || within(relative(root, target), rules.may)) return null;
    if (layer === 'src/engine') return `${folderOf(file)} may not import ${folder}: it is in no layer; add the folder to the table in eslint-rules/layers.js (or move the file into a folder of it)`;
    return `${layer} may not import ${folder} (allowed: ${rules.may.join(', ') || 'nothing'})`;
  }
  const pkg = packageName(spec);
  const owner = OWNED_PACKAGES[pkg];
  if (owner && !relative(root, file).startsWith(`${owner}/`)) return `only ${owner} may import ${pkg}`;
  if (rules.forbidPackages?.includes(pkg)) return `${rules.forbidScope ?? layer} may not import ${pkg}`;
  if (rules.packages.includes('*') || rules.packages.includes(pkg)) return null;
  return `${layer} may not import ${pkg === 'node' ? `Node built-in '${spec}'` : `package '${pkg}'`} (allowed: ${rules.packages.join(', ')})`;
}

function check(context, node, source) {
  if (!source || typeof source.value !== 'string') return;
  const why = violation(context.filename, source.value);
  if (why) context.report({ node: source, message: `Layer boundary: ${why}. See shared/DESIGN.md "The shape".` });
}

export const layerRule = {
  meta: { type: 'problem', docs: { description: 'Enforce the layer table of DESIGN.md' }, schema: [] },
  create(context) {
    return {
      ImportDeclaration: (node) => check(context, node, node.source),
      ExportNamedDeclaration: (node) => check(context, node, node.source),
      ExportAllDeclaration: (node) => check(context, node, node.source),
      ImportExpression: (node) => check(context, node, node.source),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') check(context, node, node.arguments[0]);
      },
    };
  },
};

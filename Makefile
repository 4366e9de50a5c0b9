# convkit — the two commands of the README are `make demo` and `make test`.
.PHONY: setup build demo test bench typecheck clean

setup:
	@bash scripts/setup.sh

build: setup

demo: setup
	@bash scripts/demo.sh

typecheck: setup
	npx tsc -b packages/tfjs-backend-onednn packages/convkit
	npx depcruise --config .dependency-cruiser.cjs --output-type err packages/convkit/src
	npx tsc -p packages/convkit/src/report/views
	npx tsc -p packages/convkit/src/web/browser
	npx tsc -p packages/convkit/src/audit/views
	npx tsc -p packages/convkit/tsconfig.test.json
	npx tsc -p packages/tfjs-backend-onednn/tsconfig.test.json

test: setup
	npx tsc -p packages/convkit --noEmit
	npx depcruise --config .dependency-cruiser.cjs --output-type err packages/convkit/src
	npx tsc -p packages/convkit/src/report/views
	npx tsc -p packages/convkit/src/web/browser
	npx tsc -p packages/convkit/src/audit/views
	npx tsc -p packages/convkit/tsconfig.test.json
	npx tsc -p packages/tfjs-backend-onednn/tsconfig.test.json
	node scripts/test.mjs

bench: setup
	CONVKIT_EXTRA_APT="python3-torch python3-skimage libopenblas0-pthread" bash scripts/setup.sh
	npm run bench

clean:
	rm -rf packages/*/dist packages/*/build packages/*/tsconfig.tsbuildinfo runs
